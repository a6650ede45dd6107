-- AlterTable (a plain ADD COLUMN: members can be millions of rows). false = the member's tier is
-- still to be placed after tiers were switched on: that first placement posts no entry reward and
-- sends no tier notice (decision 0025). Existing members count as placed.
ALTER TABLE "members" ADD COLUMN "tier_placed" BOOLEAN NOT NULL DEFAULT true;
