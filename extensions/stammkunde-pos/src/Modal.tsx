// The POS rewards modal. Staff act for the customer at the counter: the app checks the customer
// belongs to the staff token's shop. Decisions live in ../../shared/loyalty.ts (unit-tested).
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import {
  customerLine,
  formatNumber,
  isOneTap,
  localeOf,
  newIdempotencyKey,
  numericId,
  posCustomersCall,
  posMemberCall,
  posRedeemCall,
  redeemOutcome,
  shouldSearch,
  type Call,
  type MemberView,
  type PosCustomer,
} from "../../shared/loyalty";

export default async () => {
  render(<Extension />, document.body);
};

type PosMember = MemberView & { customer: { id: string; displayName: string } };

async function send(make: (token: string) => Call): Promise<Response> {
  const token = await shopify.session.getSessionToken();
  if (!token) throw new Error("no session token");
  const call = make(token);
  return fetch(call.url, call.init);
}

function Extension() {
  const t = shopify.i18n.translate;
  const locale = localeOf(shopify.locale.current.value);
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<PosCustomer[]>([]);
  const [member, setMember] = useState<PosMember | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function open(customerId: string) {
    setError(null);
    const res = await send((token) => posMemberCall(token, customerId, locale));
    if (res.ok) setMember(await res.json());
    else setError(t("errors.load"));
  }
  // the cart's customer, when there is one
  useEffect(() => {
    const id = shopify.cart.current.value.customer?.id;
    if (id) open(String(id)).catch(() => setError(t("errors.load")));
  // eslint-disable-next-line react-hooks/exhaustive-deps -- once per mount (per order / per login state); the values read are fixed for the extension's life
  }, []);

  async function search(text: string) {
    setQuery(text);
    if (!shouldSearch(text)) return setResults([]);
    const res = await send((token) => posCustomersCall(token, text));
    if (res.ok) setResults(((await res.json()) as { customers: PosCustomer[] }).customers);
  }

  async function redeem(rewardId: number) {
    if (!member) return;
    setBusy(rewardId);
    setError(null);
    const key = newIdempotencyKey("pos");
    try {
      for (let attempt = 0; attempt < 4; attempt++) {
        const res = await send((token) => posRedeemCall(token, member.customer.id, rewardId, key));
        const outcome = redeemOutcome(res.status, await res.json().catch(() => null));
        if (outcome.kind === "pending") {
          await new Promise((r) => setTimeout(r, 1500));
          continue;
        }
        if (outcome.kind === "error") return setError(t(outcome.messageKey));
        const numeric = numericId(member.customer.id);
        if (!shopify.cart.current.value.customer && numeric !== null) await shopify.cart.setCustomer({ id: numeric });
        await shopify.cart.addCartCodeDiscount(outcome.code);
        shopify.toast.show(t("redeem.applied", { code: outcome.code }));
        await open(member.customer.id);
        return;
      }
      setError(t("errors.slow"));
    } catch {
      setError(t("errors.failed"));
    } finally {
      setBusy(null);
    }
  }

  return (
    <s-page heading={t("modal.heading")}>
      <s-scroll-box>
        <s-stack gap="base">
          {error ? <s-banner tone="critical" heading={error} /> : null}
          {!member ? (
            <>
              <s-search-field placeholder={t("search.placeholder")} value={query} onInput={(e) => void search((e.currentTarget as unknown as { value: string }).value)} />
              {results.map((c) => (
                <s-clickable key={c.id} onClick={() => void open(c.id)}>
                  <s-text>{customerLine(c, locale)}</s-text>
                </s-clickable>
              ))}
              {shouldSearch(query) && results.length === 0 ? <s-text color="subdued">{t("search.none")}</s-text> : null}
            </>
          ) : (
            <>
              <s-heading>{member.customer.displayName}</s-heading>
              <s-text>{t("member.balance", { points: formatNumber(member.balance, locale) })}</s-text>
              {member.pending > 0 ? <s-text color="subdued">{t("member.pending", { points: formatNumber(member.pending, locale) })}</s-text> : null}
              {member.tier?.name ? <s-text>{t("member.tier", { tier: member.tier.name })}</s-text> : null}
              {member.rewards.filter(isOneTap).map((r) => (
                <s-button key={r.id} disabled={!r.affordable || busy !== null} onClick={() => void redeem(r.id)}>
                  {t("member.redeem", { reward: r.title, points: formatNumber(r.pointsCost, locale) })}
                </s-button>
              ))}
              <s-button variant="secondary" onClick={() => setMember(null)}>
                {t("member.other")}
              </s-button>
            </>
          )}
        </s-stack>
      </s-scroll-box>
    </s-page>
  );
}
