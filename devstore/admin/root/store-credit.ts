import { getDirectiveValues, type GraphQLResolveInfo } from "graphql";
import { parseMinor } from "../../core/money.ts";
import { requireScope, type AdminContext } from "../context.ts";
import { storeCreditTransactionView } from "../views/store-credit.ts";
import { requireGid } from "../views/node.ts";
import type { StoreCreditAccountRecord } from "../../state/types.ts";
import type { RootResolvers, UserError } from "./types.ts";

/** Largest balance the devstore lets an account reach (Shopify has a per-shop credit limit). */
const CREDIT_LIMIT_MINOR = 100_000_000;

type MoneyInput = { amount: string; currencyCode: string };

function locate(ctx: AdminContext, id: string, currency: string, create: boolean): { account?: StoreCreditAccountRecord; error?: UserError } {
  const { type, id: n } = requireGid(id);
  if (type === "StoreCreditAccount") {
    const account = ctx.shop.storeCreditAccounts.get(n);
    return account ? { account } : { error: { field: ["id"], message: "Store credit account does not exist.", code: "ACCOUNT_NOT_FOUND" } };
  }
  if (type === "Customer") {
    if (!ctx.shop.customers.has(n)) return { error: { field: ["id"], message: "Owner does not exist.", code: "OWNER_NOT_FOUND" } };
    let account = [...ctx.shop.storeCreditAccounts.values()].find((a) => a.customerId === n && a.currency === currency);
    if (!account && create) {
      account = { id: ctx.core.ids.take(), customerId: n, currency, balance: 0, transactions: [] };
      ctx.shop.storeCreditAccounts.set(account.id, account);
    }
    return account ? { account } : { error: { field: ["id"], message: "Store credit account does not exist.", code: "ACCOUNT_NOT_FOUND" } };
  }
  return { error: { field: ["id"], message: "Owner does not exist.", code: "OWNER_NOT_FOUND" } };
}

/**
 * Shopify's `@idempotent(key:)` on a mutation field: the first call with a key does the work, a
 * repeat with the same key answers with the same result and changes nothing.
 */
const idempotencyResults = new WeakMap<object, Map<string, { accountId: number; txId: number }>>();

function idempotencyKey(info: GraphQLResolveInfo): string | null {
  const directive = info.schema.getDirective("idempotent");
  if (!directive) return null;
  const values = getDirectiveValues(directive, info.fieldNodes[0], info.variableValues);
  return typeof values?.key === "string" ? values.key : null;
}

export const storeCreditMutations: RootResolvers = {
  storeCreditAccountCredit: (args, ctx, info) => {
    requireScope(ctx, "storeCreditAccountCredit", "write_store_credit_account_transactions");
    const key = idempotencyKey(info);
    const seen = idempotencyResults.get(ctx.shop) ?? new Map<string, { accountId: number; txId: number }>();
    idempotencyResults.set(ctx.shop, seen);
    const earlier = key ? seen.get(key) : undefined;
    if (earlier) {
      const account = ctx.shop.storeCreditAccounts.get(earlier.accountId)!;
      const tx = account.transactions.find((t) => t.id === earlier.txId)!;
      return { storeCreditAccountTransaction: storeCreditTransactionView(ctx, account, tx), userErrors: [] };
    }
    const input = args.creditInput as { creditAmount: MoneyInput; expiresAt?: string | null };
    const fail = (error: UserError) => ({ storeCreditAccountTransaction: null, userErrors: [error] });
    const currency = input.creditAmount.currencyCode;
    if (currency !== ctx.shop.currency) {
      return fail({ field: ["creditInput", "creditAmount", "currencyCode"], message: `The currency ${currency} is not supported by the shop.`, code: "UNSUPPORTED_CURRENCY" });
    }
    const amount = parseMinor(input.creditAmount.amount, currency);
    if (amount <= 0) return fail({ field: ["creditInput", "creditAmount", "amount"], message: "A positive amount must be used to credit a store credit account.", code: "NEGATIVE_OR_ZERO_AMOUNT" });
    const expiresAt = input.expiresAt ? Date.parse(input.expiresAt) : null;
    if (expiresAt !== null && expiresAt <= ctx.core.clock.now()) {
      return fail({ field: ["creditInput", "expiresAt"], message: "The expiry date must be in the future.", code: "EXPIRES_AT_IN_PAST" });
    }
    const found = locate(ctx, args.id as string, currency, true);
    if (found.error) return fail(found.error);
    const account = found.account!;
    if (account.currency !== currency) return fail({ field: ["creditInput", "creditAmount", "currencyCode"], message: "The currency does not match the account's currency.", code: "MISMATCHING_CURRENCY" });
    if (account.balance + amount > CREDIT_LIMIT_MINOR) return fail({ field: ["creditInput", "creditAmount", "amount"], message: "The store credit limit would be exceeded.", code: "CREDIT_LIMIT_EXCEEDED" });
    account.balance += amount;
    const tx = { id: ctx.core.ids.take(), amount, balanceAfter: account.balance, expiresAt, createdAt: ctx.core.clock.now() };
    account.transactions.push(tx);
    if (key) seen.set(key, { accountId: account.id, txId: tx.id });
    return { storeCreditAccountTransaction: storeCreditTransactionView(ctx, account, tx), userErrors: [] };
  },

  storeCreditAccountDebit: (args, ctx) => {
    requireScope(ctx, "storeCreditAccountDebit", "write_store_credit_account_transactions");
    const input = args.debitInput as { debitAmount: MoneyInput };
    const fail = (error: UserError) => ({ storeCreditAccountTransaction: null, userErrors: [error] });
    const currency = input.debitAmount.currencyCode;
    const amount = parseMinor(input.debitAmount.amount, currency);
    if (amount <= 0) return fail({ field: ["debitInput", "debitAmount", "amount"], message: "A positive amount must be used to debit a store credit account.", code: "NEGATIVE_OR_ZERO_AMOUNT" });
    const found = locate(ctx, args.id as string, currency, false);
    if (found.error) return fail({ ...found.error, code: "ACCOUNT_NOT_FOUND" });
    const account = found.account!;
    if (account.currency !== currency) return fail({ field: ["debitInput", "debitAmount", "currencyCode"], message: "The currency does not match the account's currency.", code: "MISMATCHING_CURRENCY" });
    if (account.balance < amount) return fail({ field: ["debitInput", "debitAmount", "amount"], message: "The account does not have sufficient funds.", code: "INSUFFICIENT_FUNDS" });
    account.balance -= amount;
    const tx = { id: ctx.core.ids.take(), amount: -amount, balanceAfter: account.balance, expiresAt: null, createdAt: ctx.core.clock.now() };
    account.transactions.push(tx);
    return { storeCreditAccountTransaction: storeCreditTransactionView(ctx, account, tx), userErrors: [] };
  },
};
