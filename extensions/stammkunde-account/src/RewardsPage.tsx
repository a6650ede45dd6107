// The customer account's rewards page. Decisions live in ../../shared/loyalty.ts (unit-tested).
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { formatDate, formatNumber, historyKey, isOneTap, localeOf, memberCall, newIdempotencyKey, nextRewardProgress, redeemCall, redeemOutcome, type MemberView } from "../../shared/loyalty";

export default async () => {
  render(<Extension />, document.body);
};

function Extension() {
  const t = shopify.i18n.translate;
  const locale = localeOf(shopify.localization.language.value.isoCode);
  const [view, setView] = useState<MemberView | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState<number | null>(null);
  const [message, setMessage] = useState<{ tone: "success" | "critical" | "info"; text: string } | null>(null);

  async function load() {
    const call = memberCall(await shopify.sessionToken.get(), "customer-account", locale);
    const res = await fetch(call.url, call.init);
    if (!res.ok) throw new Error(String(res.status));
    setView(await res.json());
  }
  useEffect(() => {
    load().catch(() => setFailed(true));
  // eslint-disable-next-line react-hooks/exhaustive-deps -- once per mount (per order / per login state); the values read are fixed for the extension's life
  }, []);

  async function redeem(rewardId: number) {
    setBusy(rewardId);
    setMessage(null);
    const key = newIdempotencyKey("account");
    try {
      for (let attempt = 0; attempt < 4; attempt++) {
        const call = redeemCall(await shopify.sessionToken.get(), "customer-account", rewardId, key);
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
        setMessage({ tone: "success", text: t("redeem.done", { code: outcome.code }) });
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

  if (failed) return <s-banner tone="critical">{t("errors.load")}</s-banner>;
  if (!view) return <s-page heading={t("title")}><s-spinner /></s-page>;
  const progress = nextRewardProgress(view);
  return (
    <s-page heading={t("title")}>
      <s-stack gap="large">
        {message ? <s-banner tone={message.tone}>{message.text}</s-banner> : null}
        <s-section heading={t("balance.heading")}>
          <s-stack gap="small-200">
            <s-text type="strong">{t("balance.available", { points: formatNumber(view.balance, locale) })}</s-text>
            {view.pending > 0 ? <s-text color="subdued">{t("balance.pending", { points: formatNumber(view.pending, locale) })}</s-text> : null}
            {view.tier?.name ? <s-text>{t("tier.current", { tier: view.tier.name })}</s-text> : null}
            {view.tier?.perks?.length ? <s-text color="subdued">{view.tier.perks.join(" · ")}</s-text> : null}
            {progress ? (
              <>
                <s-progress value={progress.percent} max={100} accessibilityLabel={t("progress.label")} />
                <s-text color="subdued">{t("progress.next", { points: formatNumber(progress.needed, locale), reward: progress.reward.title })}</s-text>
              </>
            ) : null}
          </s-stack>
        </s-section>
        <s-section heading={t("rewards.heading")}>
          <s-stack gap="base">
            {view.rewards.length === 0 ? <s-text color="subdued">{t("rewards.none")}</s-text> : null}
            {view.rewards.map((r) => (
              <s-stack key={r.id} direction="inline" gap="base" alignItems="center" justifyContent="space-between">
                <s-stack gap="none">
                  <s-text type="strong">{r.title}</s-text>
                  <s-text color="subdued">{t("rewards.cost", { points: formatNumber(r.pointsCost, locale), value: r.value })}</s-text>
                </s-stack>
                {r.locked ? (
                  <s-text color="subdued">{r.lockedText}</s-text>
                ) : isOneTap(r) ? (
                  <s-button variant="secondary" disabled={!r.affordable || (busy !== null && busy !== r.id)} loading={busy === r.id} onClick={() => redeem(r.id)}>
                    {t("rewards.redeem")}
                  </s-button>
                ) : (
                  <s-text color="subdued">{t("rewards.inShop")}</s-text>
                )}
              </s-stack>
            ))}
          </s-stack>
        </s-section>
        {view.codes.length ? (
          <s-section heading={t("codes.heading")}>
            <s-stack gap="small-200">
              {view.codes.map((c) => (
                <s-text key={c.code}>
                  {c.code} · {t("codes.points", { points: formatNumber(c.points, locale) })}
                </s-text>
              ))}
            </s-stack>
          </s-section>
        ) : null}
        {view.referral ? (
          <s-section heading={t("referral.heading")}>
            <s-stack gap="small-200">
              {view.referral.offer ? <s-text>{view.referral.offer}</s-text> : null}
              <s-link href={view.referral.url} target="_blank">
                {view.referral.url}
              </s-link>
            </s-stack>
          </s-section>
        ) : null}
        <s-section heading={t("history.heading")}>
          <s-stack gap="small-200">
            {view.history.length === 0 ? <s-text color="subdued">{t("history.none")}</s-text> : null}
            {view.history.map((h, i) => (
              <s-text key={i}>
                {formatDate(h.at, locale)} · {t(historyKey(h))} · {h.points > 0 ? "+" : ""}
                {formatNumber(h.points, locale)}
                {h.bucket === "pending" ? ` (${t("history.pendingMark")})` : ""}
              </s-text>
            ))}
          </s-stack>
        </s-section>
      </s-stack>
    </s-page>
  );
}
