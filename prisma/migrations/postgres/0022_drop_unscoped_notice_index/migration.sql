-- DropIndex
DROP INDEX "notifications_status_due_at_idx";
