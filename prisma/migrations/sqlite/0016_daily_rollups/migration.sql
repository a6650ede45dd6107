-- Daily rollups for the analytics dashboard (docs/decisions/0018): one row per shop and shop-local
-- day, rebuilt by the analytics:rollup job. Indexes let the job read one day of each raw table.
-- AlterTable (plain ADD COLUMN: order_states can be millions of rows)
ALTER TABLE "order_states" ADD COLUMN "revenue_minor" INTEGER;

-- CreateTable
CREATE TABLE "daily_rollups" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "new_members" INTEGER NOT NULL DEFAULT 0,
    "total_members" INTEGER NOT NULL DEFAULT 0,
    "points_issued" INTEGER NOT NULL DEFAULT 0,
    "points_reversed" INTEGER NOT NULL DEFAULT 0,
    "points_redeemed" INTEGER NOT NULL DEFAULT 0,
    "points_expired" INTEGER NOT NULL DEFAULT 0,
    "points_adjusted" INTEGER NOT NULL DEFAULT 0,
    "outstanding_points" INTEGER NOT NULL DEFAULT 0,
    "redemptions" INTEGER NOT NULL DEFAULT 0,
    "reward_value_minor" INTEGER NOT NULL DEFAULT 0,
    "reward_orders" INTEGER NOT NULL DEFAULT 0,
    "reward_revenue_minor" INTEGER NOT NULL DEFAULT 0,
    "member_orders" INTEGER NOT NULL DEFAULT 0,
    "member_repeat_orders" INTEGER NOT NULL DEFAULT 0,
    "member_revenue_minor" INTEGER NOT NULL DEFAULT 0,
    "guest_orders" INTEGER NOT NULL DEFAULT 0,
    "guest_repeat_orders" INTEGER NOT NULL DEFAULT 0,
    "guest_revenue_minor" INTEGER NOT NULL DEFAULT 0,
    "referral_clicks" INTEGER NOT NULL DEFAULT 0,
    "referral_friends" INTEGER NOT NULL DEFAULT 0,
    "referral_orders" INTEGER NOT NULL DEFAULT 0,
    "referrals_completed" INTEGER NOT NULL DEFAULT 0,
    "referral_revenue_minor" INTEGER NOT NULL DEFAULT 0,
    "campaign_points" INTEGER NOT NULL DEFAULT 0,
    "campaign_orders" INTEGER NOT NULL DEFAULT 0,
    "campaign_revenue_minor" INTEGER NOT NULL DEFAULT 0,
    "computed_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "daily_rollups_shop_day_key" ON "daily_rollups"("shop", "day");
CREATE INDEX "ledger_entries_shop_created_at_idx" ON "ledger_entries"("shop", "created_at");
CREATE INDEX "members_shop_created_at_idx" ON "members"("shop", "created_at");
CREATE INDEX "order_states_shop_created_at_idx" ON "order_states"("shop", "created_at");
CREATE INDEX "order_states_shop_customer_gid_idx" ON "order_states"("shop", "customer_gid");
CREATE INDEX "earn_awards_shop_created_at_idx" ON "earn_awards"("shop", "created_at");
CREATE INDEX "redemptions_shop_created_at_idx" ON "redemptions"("shop", "created_at");
CREATE INDEX "redemptions_shop_used_at_idx" ON "redemptions"("shop", "used_at");
CREATE INDEX "referral_clicks_shop_created_at_idx" ON "referral_clicks"("shop", "created_at");
CREATE INDEX "referral_friends_shop_created_at_idx" ON "referral_friends"("shop", "created_at");
CREATE INDEX "referrals_shop_ordered_at_idx" ON "referrals"("shop", "ordered_at");
