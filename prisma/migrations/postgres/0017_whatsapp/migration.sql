-- Notices per channel (email | whatsapp) and the WhatsApp Business channel (decision 0019).

-- CreateTable
CREATE TABLE "notification_deliveries" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "notification_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "external_id" TEXT,
    "reason" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "whatsapp_settings" (
    "shop" TEXT NOT NULL,
    "phone_number_id" TEXT NOT NULL,
    "access_token_enc" TEXT,
    "app_secret_enc" TEXT,
    "verify_token" TEXT,
    "base_url" TEXT NOT NULL,
    "api_version" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "whatsapp_settings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "whatsapp_contacts" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "phone" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "consent_at" TIMESTAMPTZ(3),
    "opted_out_at" TIMESTAMPTZ(3),
    "last_inbound_at" TIMESTAMPTZ(3),
    "pending_reward_id" INTEGER,
    "pending_until" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "whatsapp_contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "whatsapp_inbound" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "handled_at" TIMESTAMPTZ(3),
    "outcome" TEXT,

    CONSTRAINT "whatsapp_inbound_pkey" PRIMARY KEY ("id")
);

-- Backfill: the email channel's state so far lived on the notice (decision 0015); each notice gets
-- its email delivery with that state (the Message-ID becomes the delivery's external id).
INSERT INTO "notification_deliveries" ("shop", "notification_id", "channel", "status", "attempts", "due_at", "external_id", "reason", "sent_at", "created_at")
SELECT "shop", "id", 'email', "status", "attempts", "due_at", "message_id", "reason", "sent_at", "created_at" FROM "notifications";

-- AlterTable
ALTER TABLE "referral_friends" ADD COLUMN "notice" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "notification_deliveries_notification_id_channel_key" ON "notification_deliveries"("notification_id", "channel");
CREATE INDEX "notification_deliveries_shop_channel_status_due_at_idx" ON "notification_deliveries"("shop", "channel", "status", "due_at");
CREATE INDEX "notification_deliveries_shop_external_id_idx" ON "notification_deliveries"("shop", "external_id");
CREATE UNIQUE INDEX "whatsapp_settings_phone_number_id_key" ON "whatsapp_settings"("phone_number_id");
CREATE UNIQUE INDEX "whatsapp_contacts_shop_phone_key" ON "whatsapp_contacts"("shop", "phone");
CREATE UNIQUE INDEX "whatsapp_contacts_shop_member_id_key" ON "whatsapp_contacts"("shop", "member_id");
CREATE UNIQUE INDEX "whatsapp_inbound_shop_message_id_key" ON "whatsapp_inbound"("shop", "message_id");
