-- AlterTable
ALTER TABLE "shops" ADD COLUMN "onboarded_at" DATETIME;

-- Shops that already configured a program before the onboarding existed count as onboarded.
UPDATE "shops" SET "onboarded_at" = "installed_at" WHERE "program" IS NOT NULL;
