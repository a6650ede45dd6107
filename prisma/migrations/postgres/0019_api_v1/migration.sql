-- AlterTable: scopes, last use and each key's own token bucket (docs/decisions/0021-api-v1.md)
ALTER TABLE "api_keys" ADD COLUMN     "scopes" TEXT NOT NULL DEFAULT 'read,write',
ADD COLUMN     "last_used_at" TIMESTAMPTZ(3),
ADD COLUMN     "rate_per_minute" INTEGER NOT NULL DEFAULT 120,
ADD COLUMN     "rate_tokens" DOUBLE PRECISION,
ADD COLUMN     "rate_at" BIGINT;

-- CreateTable: the answer given to each Idempotency-Key, replayed for a repeated request
CREATE TABLE "api_idempotency" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "idem_key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "response" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_idempotency_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_idempotency_shop_idem_key_key" ON "api_idempotency"("shop", "idem_key");

-- CreateIndex: the API's "updated since" filter
CREATE INDEX "members_shop_updated_at_idx" ON "members"("shop", "updated_at");
