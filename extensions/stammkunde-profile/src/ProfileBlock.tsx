// The profile page's block: the balance at a glance, with a link to the rewards page (the
// stammkunde-account extension's full page, addressed by its handle).
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { formatNumber, localeOf, memberCall, nextRewardProgress, type MemberView } from "../../shared/loyalty";

export default async () => {
  render(<Extension />, document.body);
};

function Extension() {
  const t = shopify.i18n.translate;
  const locale = localeOf(shopify.localization.language.value.isoCode);
  const [view, setView] = useState<MemberView | null>(null);
  useEffect(() => {
    (async () => {
      const call = memberCall(await shopify.sessionToken.get(), "customer-account", locale);
      const res = await fetch(call.url, call.init);
      if (res.ok) setView(await res.json());
    })().catch(() => undefined);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- once per mount (per order / per login state); the values read are fixed for the extension's life
  }, []);
  if (!view) return null;
  const progress = nextRewardProgress(view);
  return (
    <s-section heading={t("title")}>
      <s-stack gap="small-200">
        <s-text type="strong">{t("balance.available", { points: formatNumber(view.balance, locale) })}</s-text>
        {view.tier?.name ? <s-text>{t("tier.current", { tier: view.tier.name })}</s-text> : null}
        {progress ? <s-text color="subdued">{t("progress.next", { points: formatNumber(progress.needed, locale), reward: progress.reward.title })}</s-text> : null}
        <s-link href="extension:stammkunde-account/">{t("profile.open")}</s-link>
      </s-stack>
    </s-section>
  );
}
