-- AlterTable
ALTER TABLE "members" ADD COLUMN     "email_consent" TEXT,
ADD COLUMN     "locale" TEXT;

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "channel" TEXT,
ADD COLUMN     "message_id" TEXT,
ADD COLUMN     "reason" TEXT;

-- CreateTable
CREATE TABLE "smtp_settings" (
    "shop" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "secure" BOOLEAN NOT NULL DEFAULT false,
    "username" TEXT,
    "password_enc" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "smtp_settings_pkey" PRIMARY KEY ("shop")
);

-- CreateIndex
CREATE INDEX "notifications_shop_status_due_at_idx" ON "notifications"("shop", "status", "due_at");
