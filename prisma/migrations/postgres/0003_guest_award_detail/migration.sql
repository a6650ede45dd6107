-- AlterTable
ALTER TABLE "guest_orders" ADD COLUMN     "detail" TEXT;

