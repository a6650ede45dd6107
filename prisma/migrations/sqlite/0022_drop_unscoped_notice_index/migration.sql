-- DropIndex: every notice query leads with the shop and uses (shop, status, due_at); the unscoped
-- (status, due_at) index only cost writes (a launch night records a notice per expiring member)
DROP INDEX "notifications_status_due_at_idx";
