-- AlterTable
ALTER TABLE "members" ADD COLUMN     "grace_until" TIMESTAMPTZ(3),
ADD COLUMN     "hold_source" TEXT,
ADD COLUMN     "hold_tier_id" TEXT,
ADD COLUMN     "hold_until" TIMESTAMPTZ(3),
ADD COLUMN     "last_activity_at" TIMESTAMPTZ(3),
ADD COLUMN     "next_check_at" TIMESTAMPTZ(3),
ADD COLUMN     "tier_id" TEXT,
ADD COLUMN     "tier_since" TIMESTAMPTZ(3),
ADD COLUMN     "tier_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "tier_changes" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "from_tier" TEXT,
    "to_tier" TEXT,
    "reason" TEXT NOT NULL,
    "detail" TEXT,
    "idempotency_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tier_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "order_gid" TEXT NOT NULL,
    "tier_id" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedules" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "shop" TEXT NOT NULL DEFAULT '',
    "next_run_at" TIMESTAMPTZ(3) NOT NULL,
    "last_run_at" TIMESTAMPTZ(3),
    "last_period" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tier_changes_shop_member_id_id_idx" ON "tier_changes"("shop", "member_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "tier_changes_shop_idempotency_key_key" ON "tier_changes"("shop", "idempotency_key");

-- CreateIndex
CREATE INDEX "memberships_shop_member_id_idx" ON "memberships"("shop", "member_id");

-- CreateIndex
CREATE UNIQUE INDEX "memberships_shop_order_gid_key" ON "memberships"("shop", "order_gid");

-- CreateIndex
CREATE INDEX "notifications_shop_member_id_id_idx" ON "notifications"("shop", "member_id", "id");

-- CreateIndex
CREATE INDEX "notifications_status_due_at_idx" ON "notifications"("status", "due_at");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_shop_dedupe_key_key" ON "notifications"("shop", "dedupe_key");

-- CreateIndex
CREATE INDEX "schedules_next_run_at_idx" ON "schedules"("next_run_at");

-- CreateIndex
CREATE UNIQUE INDEX "schedules_name_shop_key" ON "schedules"("name", "shop");

-- CreateIndex
CREATE INDEX "members_shop_tier_id_idx" ON "members"("shop", "tier_id");

