// What to do when a balance cannot cover a debit (a clawback after the points were spent).
// How much a refund or cancellation takes back is app/domain/refunds.ts.
import type { NegativeBalancePolicy } from "./program";

export class ClawbackInputError extends Error {}

function checkCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new ClawbackInputError(`${what} must be a non-negative integer, got ${value}`);
}

/**
 * How much of a debit (a clawback) the balance takes. "allow": all of it, the balance may go
 * negative. "floor": at most the (non-negative) balance; the rest is the shortfall, recorded but
 * not taken.
 */
export function applyNegativeBalancePolicy(balance: number, debit: number, policy: NegativeBalancePolicy): { debit: number; shortfall: number } {
  if (!Number.isSafeInteger(balance)) throw new ClawbackInputError(`balance must be an integer, got ${balance}`);
  checkCount(debit, "debit");
  if (policy === "allow") return { debit, shortfall: 0 };
  const taken = Math.min(debit, Math.max(0, balance));
  return { debit: taken, shortfall: debit - taken };
}
