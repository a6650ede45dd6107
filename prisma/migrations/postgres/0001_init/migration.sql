-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMPTZ(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMPTZ(3),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shops" (
    "domain" TEXT NOT NULL,
    "name" TEXT,
    "currency_code" TEXT NOT NULL DEFAULT 'EUR',
    "iana_timezone" TEXT NOT NULL DEFAULT 'UTC',
    "points_per_currency_unit" INTEGER NOT NULL DEFAULT 1,
    "earning_enabled" BOOLEAN NOT NULL DEFAULT true,
    "installed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalled_at" TIMESTAMPTZ(3),

    CONSTRAINT "shops_pkey" PRIMARY KEY ("domain")
);

-- CreateTable
CREATE TABLE "members" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customer_gid" TEXT NOT NULL,
    "email" TEXT,
    "first_name" TEXT,
    "last_name" TEXT,
    "points_available" INTEGER NOT NULL DEFAULT 0,
    "points_pending" INTEGER NOT NULL DEFAULT 0,
    "lifetime_earned" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "redacted_at" TIMESTAMPTZ(3),

    CONSTRAINT "members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "bucket" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "source_type" TEXT,
    "source_id" TEXT,
    "idempotency_key" TEXT NOT NULL,
    "reverses_id" INTEGER,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "api_version" TEXT NOT NULL,
    "triggered_at" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "jobs" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 10,
    "run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_by" TEXT,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "dedupe_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_runs" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "members" INTEGER NOT NULL,
    "mismatches" INTEGER NOT NULL,
    "details" TEXT NOT NULL,
    "ran_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "data_requests" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customer_gid" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "report" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sessions_shop_idx" ON "sessions"("shop");

-- CreateIndex
CREATE INDEX "members_shop_email_idx" ON "members"("shop", "email");

-- CreateIndex
CREATE UNIQUE INDEX "members_shop_customer_gid_key" ON "members"("shop", "customer_gid");

-- CreateIndex
CREATE INDEX "ledger_entries_shop_member_id_id_idx" ON "ledger_entries"("shop", "member_id", "id");

-- CreateIndex
CREATE INDEX "ledger_entries_shop_source_id_idx" ON "ledger_entries"("shop", "source_id");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_entries_shop_idempotency_key_key" ON "ledger_entries"("shop", "idempotency_key");

-- CreateIndex
CREATE INDEX "webhook_deliveries_shop_received_at_idx" ON "webhook_deliveries"("shop", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_shop_event_id_key" ON "webhook_deliveries"("shop", "event_id");

-- CreateIndex
CREATE INDEX "jobs_status_run_at_idx" ON "jobs"("status", "run_at");

-- CreateIndex
CREATE INDEX "jobs_shop_status_idx" ON "jobs"("shop", "status");

-- CreateIndex
CREATE UNIQUE INDEX "jobs_shop_dedupe_key_key" ON "jobs"("shop", "dedupe_key");

-- CreateIndex
CREATE INDEX "reconciliation_runs_shop_ran_at_idx" ON "reconciliation_runs"("shop", "ran_at");

-- CreateIndex
CREATE UNIQUE INDEX "data_requests_shop_request_id_key" ON "data_requests"("shop", "request_id");

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_reverses_id_fkey" FOREIGN KEY ("reverses_id") REFERENCES "ledger_entries"("id") ON DELETE SET NULL ON UPDATE CASCADE;

