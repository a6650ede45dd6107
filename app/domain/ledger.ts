// Ledger rules that need no database: what an entry may look like and how keys are derived from
// the business facts they record.

export type Bucket = "available" | "pending";
export type EntryKind = "earn" | "reverse" | "adjust" | "redeem" | "expire" | "release" | "migrate";

export interface EntryInput {
  memberId: number;
  bucket: Bucket;
  points: number;
  kind: EntryKind;
  reason: string;
  idempotencyKey: string;
  sourceType?: string | null;
  sourceId?: string | null;
  reversesId?: number | null;
  note?: string | null;
  /** The balance may go below zero (e.g. a clawback after the points were spent). Default: no. */
  allowNegative?: boolean;
  /** When the fact happened (ms); default: now. Jobs and tests with an injected clock pass theirs,
   *  since expiry and tier windows read entries by this time. */
  at?: number;
}

/** Earning and redeeming keep points alive under inactivity expiry. */
export function isActivity(kind: EntryKind): boolean {
  return kind === "earn" || kind === "redeem";
}

export class LedgerRuleError extends Error {}

const BUCKETS = new Set<Bucket>(["available", "pending"]);
const KINDS = new Set<EntryKind>(["earn", "reverse", "adjust", "redeem", "expire", "release", "migrate"]);

export function validateEntry(e: EntryInput): void {
  if (!Number.isSafeInteger(e.points)) throw new LedgerRuleError(`points must be an integer, got ${e.points}`);
  if (e.points === 0) throw new LedgerRuleError("an entry of 0 points records nothing");
  if (!BUCKETS.has(e.bucket)) throw new LedgerRuleError(`unknown bucket ${e.bucket}`);
  if (!KINDS.has(e.kind)) throw new LedgerRuleError(`unknown kind ${e.kind}`);
  if (!e.idempotencyKey || e.idempotencyKey.length > 255) throw new LedgerRuleError("idempotencyKey is required (≤ 255 chars)");
  if (!e.reason) throw new LedgerRuleError("reason is required");
  if (e.kind === "earn" && e.points < 0) throw new LedgerRuleError("earn entries add points");
  // a release moves pending points to available: out of pending, into available
  if (e.kind === "release" && (e.bucket === "pending") !== e.points < 0) throw new LedgerRuleError("release entries take from pending and add to available");
  if ((e.kind === "redeem" || e.kind === "expire") && e.points > 0) throw new LedgerRuleError(`${e.kind} entries take points`);
  if (e.kind === "reverse" && !e.reversesId) throw new LedgerRuleError("a reverse entry names the entry it reverses");
}

export const keys = {
  orderEarn: (orderGid: string) => `earn:order:${orderGid}`,
  orderCancel: (orderGid: string) => `reverse:cancel:${orderGid}`,
  refund: (refundGid: string) => `reverse:refund:${refundGid}`,
  manual: (requestId: string) => `adjust:manual:${requestId}`,
};

export interface BalanceCheck {
  memberId: number;
  storedAvailable: number;
  storedPending: number;
  sumAvailable: number;
  sumPending: number;
}

/** Members whose stored balances differ from the sum of their entries. */
export function mismatches(rows: BalanceCheck[]): BalanceCheck[] {
  return rows.filter((r) => r.storedAvailable !== r.sumAvailable || r.storedPending !== r.sumPending);
}
