-- AlterTable
ALTER TABLE "members" ADD COLUMN     "blocked_at" TIMESTAMPTZ(3),
ADD COLUMN     "excluded_at" TIMESTAMPTZ(3),
ADD COLUMN     "imported_referral_code" TEXT,
ADD COLUMN     "imported_tier" TEXT,
ADD COLUMN     "search_email" TEXT,
ADD COLUMN     "search_first" TEXT,
ADD COLUMN     "search_last" TEXT;

-- CreateTable
CREATE TABLE "audit_log" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" TEXT,
    "before_state" TEXT,
    "after_state" TEXT,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member_imports" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "format" TEXT,
    "header" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "total_rows" INTEGER NOT NULL DEFAULT 0,
    "valid_rows" INTEGER NOT NULL DEFAULT 0,
    "bad_rows" INTEGER NOT NULL DEFAULT 0,
    "done_rows" INTEGER NOT NULL DEFAULT 0,
    "next_chunk" INTEGER NOT NULL DEFAULT 0,
    "imported_rows" INTEGER NOT NULL DEFAULT 0,
    "skipped_rows" INTEGER NOT NULL DEFAULT 0,
    "points_imported" INTEGER NOT NULL DEFAULT 0,
    "created_by" TEXT NOT NULL,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "member_imports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member_import_chunks" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "import_id" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "first_row" INTEGER NOT NULL,
    "row_count" INTEGER NOT NULL,
    "rows" TEXT NOT NULL,

    CONSTRAINT "member_import_chunks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member_import_errors" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "import_id" INTEGER NOT NULL,
    "phase" TEXT NOT NULL,
    "row_number" INTEGER NOT NULL,
    "column_name" TEXT NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "member_import_errors_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_log_shop_id_idx" ON "audit_log"("shop", "id");

-- CreateIndex
CREATE INDEX "audit_log_shop_subject_type_subject_id_idx" ON "audit_log"("shop", "subject_type", "subject_id");

-- CreateIndex
CREATE INDEX "member_imports_shop_id_idx" ON "member_imports"("shop", "id");

-- CreateIndex
CREATE UNIQUE INDEX "member_import_chunks_import_id_seq_key" ON "member_import_chunks"("import_id", "seq");

-- CreateIndex
CREATE INDEX "member_import_errors_shop_import_id_phase_row_number_idx" ON "member_import_errors"("shop", "import_id", "phase", "row_number");

-- CreateIndex
CREATE UNIQUE INDEX "member_import_errors_import_id_phase_row_number_column_name_key" ON "member_import_errors"("import_id", "phase", "row_number", "column_name");

-- CreateIndex
CREATE INDEX "members_shop_search_email_idx" ON "members"("shop", "search_email");

-- CreateIndex
CREATE INDEX "members_shop_search_first_idx" ON "members"("shop", "search_first");

-- CreateIndex
CREATE INDEX "members_shop_search_last_idx" ON "members"("shop", "search_last");


-- Existing members become searchable (lower() folds ASCII only on SQLite; the app writes these
-- columns with full Unicode folding from now on).
UPDATE "members" SET "search_email" = lower("email"), "search_first" = lower("first_name"), "search_last" = lower("last_name");

