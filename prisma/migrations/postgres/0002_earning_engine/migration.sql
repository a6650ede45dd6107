-- AlterTable
ALTER TABLE "shops" DROP COLUMN "earning_enabled",
DROP COLUMN "points_per_currency_unit",
ADD COLUMN     "program" TEXT;

-- AlterTable
ALTER TABLE "members" ADD COLUMN     "birthday" TEXT;

-- CreateTable
CREATE TABLE "earn_awards" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "order_gid" TEXT NOT NULL,
    "entry_id" INTEGER NOT NULL,
    "bucket" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "reversed_points" INTEGER NOT NULL DEFAULT 0,
    "base_minor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "release_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "earn_awards_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_states" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "order_gid" TEXT NOT NULL,
    "customer_gid" TEXT,
    "cancelled_at" TIMESTAMPTZ(3),
    "fulfilled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_states_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_refunds" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "refund_gid" TEXT NOT NULL,
    "order_gid" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "applied_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_refunds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "counters" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "value" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "counters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "guest_orders" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "order_gid" TEXT NOT NULL,
    "email" TEXT,
    "points" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_at" TIMESTAMPTZ(3),

    CONSTRAINT "guest_orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "label" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "earn_awards_shop_member_id_idx" ON "earn_awards"("shop", "member_id");

-- CreateIndex
CREATE UNIQUE INDEX "earn_awards_shop_order_gid_key" ON "earn_awards"("shop", "order_gid");

-- CreateIndex
CREATE UNIQUE INDEX "order_states_shop_order_gid_key" ON "order_states"("shop", "order_gid");

-- CreateIndex
CREATE INDEX "order_refunds_shop_order_gid_idx" ON "order_refunds"("shop", "order_gid");

-- CreateIndex
CREATE UNIQUE INDEX "order_refunds_shop_refund_gid_key" ON "order_refunds"("shop", "refund_gid");

-- CreateIndex
CREATE UNIQUE INDEX "counters_shop_key_period_key" ON "counters"("shop", "key", "period");

-- CreateIndex
CREATE INDEX "guest_orders_shop_email_idx" ON "guest_orders"("shop", "email");

-- CreateIndex
CREATE UNIQUE INDEX "guest_orders_shop_order_gid_key" ON "guest_orders"("shop", "order_gid");

-- CreateIndex
CREATE INDEX "api_keys_shop_idx" ON "api_keys"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

