import { gid } from "../../core/ids.ts";
import { paginate, type PageArgs } from "../connection.ts";
import type { AdminContext } from "../context.ts";
import type { StoreCreditAccountRecord, StoreCreditTransactionRecord } from "../../state/types.ts";
import { money } from "./common.ts";
import { customerView } from "./customer.ts";

export function storeCreditTransactionView(ctx: AdminContext, account: StoreCreditAccountRecord, tx: StoreCreditTransactionRecord): Record<string, unknown> {
  const credit = tx.amount >= 0;
  return {
    __typename: credit ? "StoreCreditAccountCreditTransaction" : "StoreCreditAccountDebitTransaction",
    id: gid(credit ? "StoreCreditAccountCreditTransaction" : "StoreCreditAccountDebitTransaction", tx.id),
    amount: money(tx.amount, account.currency),
    balanceAfterTransaction: money(tx.balanceAfter, account.currency),
    remainingAmount: money(Math.max(0, tx.amount), account.currency),
    createdAt: tx.createdAt,
    expiresAt: tx.expiresAt,
    event: "ADJUSTMENT",
    origin: null,
    account: () => storeCreditAccountView(ctx, account),
  };
}

export function storeCreditAccountView(ctx: AdminContext, account: StoreCreditAccountRecord): Record<string, unknown> {
  return {
    __typename: "StoreCreditAccount",
    id: gid("StoreCreditAccount", account.id),
    balance: money(account.balance, account.currency),
    owner: () => {
      const customer = ctx.shop.customers.get(account.customerId);
      return customer ? customerView(ctx, customer) : null;
    },
    transactions: (args: PageArgs) => paginate(account.transactions, args, (tx) => storeCreditTransactionView(ctx, account, tx)),
  };
}
