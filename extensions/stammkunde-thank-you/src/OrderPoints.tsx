// The block both targets render: what this order earned and the referral link. The target files
// pass in what their APIs know (order id, session token, language, lines).
import { useEffect, useState } from "preact/hooks";
import { estimateOrderPoints, orderCall, orderEarnMessage, type BuyerSurface, type CheckoutLine, type EarningRules, type Locale, type OrderEarn } from "../../shared/loyalty";

interface Props {
  surface: BuyerSurface;
  orderId: string | null;
  token: () => Promise<string>;
  translate: (key: string, values?: Record<string, string>) => string;
  locale: Locale;
  lines: CheckoutLine[];
}

interface Answer {
  loggedIn: boolean;
  order?: OrderEarn;
  referral?: { url: string; shareMessage: string } | null;
  earning?: EarningRules;
}

export function OrderPoints({ surface, orderId, token, translate: t, locale, lines }: Props) {
  const [answer, setAnswer] = useState<Answer | null>(null);
  useEffect(() => {
    if (!orderId) return;
    let stop = false;
    let tries = 0;
    // orders/paid reaches the app a moment after the thank-you page: ask again a few times
    const ask = async () => {
      const call = orderCall(await token(), surface, orderId, locale);
      const res = await fetch(call.url, call.init);
      if (!res.ok || stop) return;
      const body = (await res.json()) as Answer;
      setAnswer(body);
      if (body.loggedIn && body.order?.status === "processing" && ++tries < 5) setTimeout(() => void ask().catch(() => undefined), 3000 * tries);
    };
    ask().catch(() => undefined);
    return () => {
      stop = true;
    };
  // eslint-disable-next-line react-hooks/exhaustive-deps -- once per mount (per order / per login state); the values read are fixed for the extension's life
  }, [orderId]);

  if (!answer || !answer.loggedIn) return null;
  const [key, values] = orderEarnMessage(answer.order, estimateOrderPoints(lines, answer.earning), locale);
  return (
    <s-stack gap="base">
      <s-heading>{t("title")}</s-heading>
      <s-text>{t(key, values)}</s-text>
      {answer.referral ? (
        <s-stack gap="small-200">
          <s-text>{t("referral.intro")}</s-text>
          <s-link href={answer.referral.url} target="_blank">
            {answer.referral.url}
          </s-link>
        </s-stack>
      ) : null}
    </s-stack>
  );
}
