-- AlterTable (plain ADD COLUMNs instead of Prisma's table rebuild: members can be millions of rows)
ALTER TABLE "members" ADD COLUMN "email_consent" TEXT;
ALTER TABLE "members" ADD COLUMN "locale" TEXT;

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN "channel" TEXT;
ALTER TABLE "notifications" ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "notifications" ADD COLUMN "message_id" TEXT;
ALTER TABLE "notifications" ADD COLUMN "reason" TEXT;

-- CreateTable
CREATE TABLE "smtp_settings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "secure" BOOLEAN NOT NULL DEFAULT false,
    "username" TEXT,
    "password_enc" TEXT,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "notifications_shop_status_due_at_idx" ON "notifications"("shop", "status", "due_at");
