-- Business events for Shopify Flow and outbound webhooks; merchants' endpoints, their deliveries;
-- Flow action runs (docs/decisions/0020).

-- CreateTable
CREATE TABLE "app_events" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "customer_gid" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "flow_status" TEXT NOT NULL DEFAULT 'pending',
    "flow_error" TEXT,
    "flow_sent_at" DATETIME
);

-- CreateTable
CREATE TABLE "webhook_endpoints" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "secret_enc" TEXT NOT NULL,
    "secret_hint" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" TEXT,
    "disabled_at" DATETIME,
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "webhook_endpoint_deliveries" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "endpoint_id" INTEGER NOT NULL,
    "event_id" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status" INTEGER,
    "last_error" TEXT,
    "next_attempt_at" DATETIME,
    "delivered_at" DATETIME,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "flow_action_runs" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "action_run_id" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "app_events_shop_id_idx" ON "app_events"("shop", "id");

-- CreateIndex
CREATE UNIQUE INDEX "app_events_shop_dedupe_key_key" ON "app_events"("shop", "dedupe_key");

-- CreateIndex
CREATE INDEX "webhook_endpoints_shop_enabled_idx" ON "webhook_endpoints"("shop", "enabled");

-- CreateIndex
CREATE INDEX "webhook_endpoint_deliveries_shop_endpoint_id_id_idx" ON "webhook_endpoint_deliveries"("shop", "endpoint_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_endpoint_deliveries_endpoint_id_event_id_key" ON "webhook_endpoint_deliveries"("endpoint_id", "event_id");

-- CreateIndex
CREATE UNIQUE INDEX "flow_action_runs_shop_action_run_id_key" ON "flow_action_runs"("shop", "action_run_id");
