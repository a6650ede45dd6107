-- AlterTable
ALTER TABLE "shops" ADD COLUMN "primary_domain" TEXT;

-- CreateTable
CREATE TABLE "referral_codes" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "referral_clicks" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "visit" TEXT NOT NULL,
    "ip_hash" TEXT,
    "ua_hash" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "referral_friends" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "advocate_member_id" INTEGER NOT NULL,
    "referral_code" TEXT NOT NULL,
    "email_hash" TEXT,
    "customer_gid" TEXT,
    "discount_code" TEXT NOT NULL,
    "discount_gid" TEXT,
    "status" TEXT NOT NULL,
    "visit" TEXT,
    "ip_hash" TEXT,
    "device_hash" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "referrals" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "advocate_member_id" INTEGER NOT NULL,
    "referral_code" TEXT NOT NULL,
    "friend_id" INTEGER,
    "order_gid" TEXT NOT NULL,
    "friend_customer_gid" TEXT,
    "friend_email_hash" TEXT,
    "source" TEXT NOT NULL,
    "subtotal_minor" INTEGER NOT NULL,
    "discount_minor" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL,
    "verdict" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reasons" TEXT NOT NULL,
    "ip_hash" TEXT,
    "device_hash" TEXT,
    "ordered_at" DATETIME NOT NULL,
    "window_ends_at" DATETIME NOT NULL,
    "reward_points" INTEGER,
    "reward_entry_id" INTEGER,
    "decided_by" TEXT,
    "decided_at" DATETIME,
    "cancel_reason" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "referral_codes_shop_member_id_key" ON "referral_codes"("shop", "member_id");

-- CreateIndex
CREATE UNIQUE INDEX "referral_codes_shop_code_key" ON "referral_codes"("shop", "code");

-- CreateIndex
CREATE INDEX "referral_clicks_shop_code_created_at_idx" ON "referral_clicks"("shop", "code", "created_at");

-- CreateIndex
CREATE INDEX "referral_clicks_shop_ip_hash_created_at_idx" ON "referral_clicks"("shop", "ip_hash", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "referral_clicks_shop_visit_key" ON "referral_clicks"("shop", "visit");

-- CreateIndex
CREATE INDEX "referral_friends_shop_ip_hash_created_at_idx" ON "referral_friends"("shop", "ip_hash", "created_at");

-- CreateIndex
CREATE INDEX "referral_friends_shop_advocate_member_id_idx" ON "referral_friends"("shop", "advocate_member_id");

-- CreateIndex
CREATE UNIQUE INDEX "referral_friends_shop_email_hash_key" ON "referral_friends"("shop", "email_hash");

-- CreateIndex
CREATE UNIQUE INDEX "referral_friends_shop_customer_gid_key" ON "referral_friends"("shop", "customer_gid");

-- CreateIndex
CREATE UNIQUE INDEX "referral_friends_shop_discount_code_key" ON "referral_friends"("shop", "discount_code");

-- CreateIndex
CREATE INDEX "referrals_shop_advocate_member_id_idx" ON "referrals"("shop", "advocate_member_id");

-- CreateIndex
CREATE INDEX "referrals_shop_status_idx" ON "referrals"("shop", "status");

-- CreateIndex
CREATE INDEX "referrals_shop_ip_hash_ordered_at_idx" ON "referrals"("shop", "ip_hash", "ordered_at");

-- CreateIndex
CREATE INDEX "referrals_shop_device_hash_ordered_at_idx" ON "referrals"("shop", "device_hash", "ordered_at");

-- CreateIndex
CREATE UNIQUE INDEX "referrals_shop_order_gid_key" ON "referrals"("shop", "order_gid");

