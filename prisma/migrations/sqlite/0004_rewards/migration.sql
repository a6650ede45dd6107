-- CreateTable
CREATE TABLE "rewards" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "points_cost" INTEGER NOT NULL,
    "config" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "redemptions" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "reward_id" INTEGER NOT NULL,
    "client_key" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "discount_gid" TEXT,
    "hold_entry_id" INTEGER,
    "last_error" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "rewards_shop_idx" ON "rewards"("shop");

-- CreateIndex
CREATE INDEX "redemptions_shop_member_id_idx" ON "redemptions"("shop", "member_id");

-- CreateIndex
CREATE INDEX "redemptions_status_created_at_idx" ON "redemptions"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "redemptions_shop_client_key_key" ON "redemptions"("shop", "client_key");

-- CreateIndex
CREATE UNIQUE INDEX "redemptions_shop_code_key" ON "redemptions"("shop", "code");

