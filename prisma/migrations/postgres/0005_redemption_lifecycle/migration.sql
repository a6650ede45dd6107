-- AlterTable
ALTER TABLE "redemptions" ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "order_gid" TEXT,
ADD COLUMN     "revenue_minor" INTEGER,
ADD COLUMN     "used_at" TIMESTAMPTZ(3);

