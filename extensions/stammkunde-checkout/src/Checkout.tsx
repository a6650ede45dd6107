// The checkout block: balance, affordable rewards applied in one tap (redeem → code →
// applyDiscountCodeChange) and the points this order will earn. Decisions live in
// ../../shared/loyalty.ts (unit-tested); this file renders them.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { applyMessageKey, checkoutRewards, estimateOrderPoints, formatNumber, localeOf, memberCall, newIdempotencyKey, redeemCall, redeemOutcome, type CheckoutLine, type MemberView } from "../../shared/loyalty";

export default async () => {
  render(<Extension />, document.body);
};

function linesOf(): CheckoutLine[] {
  return shopify.lines.value.map((line) => ({
    productId: line.merchandise.type === "variant" ? line.merchandise.product.id : null,
    amount: line.cost.totalAmount.amount,
  }));
}

function Extension() {
  const t = shopify.i18n.translate;
  const locale = localeOf(shopify.localization.language.value.isoCode);
  const [view, setView] = useState<MemberView | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [message, setMessage] = useState<{ tone: "success" | "critical" | "info"; text: string } | null>(null);
  const loggedIn = Boolean(shopify.buyerIdentity?.customer?.value?.id);

  async function load() {
    const call = memberCall(await shopify.sessionToken.get(), "checkout", locale);
    const res = await fetch(call.url, call.init);
    if (res.ok) setView(await res.json());
  }
  useEffect(() => {
    load().catch(() => setView(null));
    // the buyer logging in during checkout changes who the token names
  // eslint-disable-next-line react-hooks/exhaustive-deps -- once per mount (per order / per login state); the values read are fixed for the extension's life
  }, [loggedIn]);

  async function redeem(rewardId: number) {
    setBusy(rewardId);
    setMessage(null);
    const key = newIdempotencyKey("checkout");
    try {
      for (let attempt = 0; attempt < 4; attempt++) {
        const call = redeemCall(await shopify.sessionToken.get(), "checkout", rewardId, key);
        const res = await fetch(call.url, call.init);
        const outcome = redeemOutcome(res.status, await res.json().catch(() => null));
        if (outcome.kind === "pending") {
          await new Promise((r) => setTimeout(r, 1500));
          continue;
        }
        if (outcome.kind === "error") {
          setMessage({ tone: "critical", text: t(outcome.messageKey) });
          return;
        }
        const applied = await shopify.applyDiscountCodeChange({ type: "addDiscountCode", code: outcome.code });
        setMessage({ tone: applied.type === "success" ? "success" : "info", text: t(applyMessageKey(applied), { code: outcome.code }) });
        await load();
        return;
      }
      setMessage({ tone: "info", text: t("errors.slow") });
    } catch {
      setMessage({ tone: "critical", text: t("errors.failed") });
    } finally {
      setBusy(null);
    }
  }

  if (!view) return null;
  const estimate = estimateOrderPoints(linesOf(), view.earning);
  const rewards = checkoutRewards(view);
  return (
    <s-stack gap="base">
      <s-heading>{t("title")}</s-heading>
      {estimate > 0 ? <s-text>{t("earnThisOrder", { points: formatNumber(estimate, locale) })}</s-text> : null}
      {!view.loggedIn ? (
        <s-text color="subdued">{t("guest")}</s-text>
      ) : (
        <>
          <s-text>{t("balance", { points: formatNumber(view.balance, locale) })}</s-text>
          {rewards.length === 0 ? <s-text color="subdued">{t("noRewards")}</s-text> : null}
          {rewards.map((r) => (
            <s-stack key={r.id} direction="inline" gap="base" alignItems="center" justifyContent="space-between">
              <s-text>
                {r.title} · {t("cost", { points: formatNumber(r.pointsCost, locale) })}
              </s-text>
              <s-button variant="secondary" loading={busy === r.id} disabled={busy !== null && busy !== r.id} onClick={() => redeem(r.id)}>
                {t("apply")}
              </s-button>
            </s-stack>
          ))}
        </>
      )}
      {message ? <s-banner tone={message.tone}>{message.text}</s-banner> : null}
    </s-stack>
  );
}
