-- AlterTable
ALTER TABLE "redemptions" ADD COLUMN "granted_by" TEXT;

