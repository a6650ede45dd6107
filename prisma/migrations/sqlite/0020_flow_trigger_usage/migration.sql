-- CreateTable: per shop and Flow trigger handle, whether a workflow using it is enabled, as the
-- trigger lifecycle callback last said (docs/decisions/0024-flow-trigger-lifecycle-and-pruning.md)
CREATE TABLE "flow_trigger_usage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "notified_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "flow_trigger_usage_shop_handle_key" ON "flow_trigger_usage"("shop", "handle");

-- CreateIndex: the retention job deletes old rows per shop by age
CREATE INDEX "app_events_shop_created_at_idx" ON "app_events"("shop", "created_at");

-- CreateIndex
CREATE INDEX "api_idempotency_shop_created_at_idx" ON "api_idempotency"("shop", "created_at");
