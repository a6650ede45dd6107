-- AlterTable
ALTER TABLE "redemptions" ADD COLUMN "expires_at" DATETIME;
ALTER TABLE "redemptions" ADD COLUMN "order_gid" TEXT;
ALTER TABLE "redemptions" ADD COLUMN "revenue_minor" INTEGER;
ALTER TABLE "redemptions" ADD COLUMN "used_at" DATETIME;

