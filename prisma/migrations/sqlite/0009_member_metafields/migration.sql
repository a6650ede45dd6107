-- AlterTable (a plain ADD COLUMN instead of Prisma's table rebuild: members can be millions of rows)
ALTER TABLE "members" ADD COLUMN "metafields_dirty" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "members_shop_metafields_dirty_idx" ON "members"("shop", "metafields_dirty");
