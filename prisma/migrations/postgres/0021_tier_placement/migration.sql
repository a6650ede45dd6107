-- AlterTable
ALTER TABLE "members" ADD COLUMN     "tier_placed" BOOLEAN NOT NULL DEFAULT true;
