// The program's explainer page, answered through the app proxy as Liquid so Shopify renders it
// inside the merchant's theme. The page holds nothing personal: the shopper's name and points are
// filled in by Shopify's Liquid (`customer`, the app-owned points metafield), so one answer serves
// everyone. Both languages are in the answer; Liquid shows the one the storefront is in.
import de from "~/locales/storefront/de.json";
import en from "~/locales/storefront/en.json";
import type { Program } from "./program";
import { rewardValueText, tierAccess, tierOnlyText, type Reward } from "./rewards";

type Key = keyof typeof en;
const TEXTS = { en, de } as const;
type Lang = keyof typeof TEXTS;

/** HTML-escapes text and neutralises Liquid delimiters, so a merchant's text is only ever text. */
export function escapeForLiquid(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
    .replace(/\{/g, "&#123;")
    .replace(/\}/g, "&#125;");
}

export interface RewardsPageInput {
  currency: string;
  program: Program;
  rewards: Reward[];
}

function section(lang: Lang, input: RewardsPageInput): string {
  // text is escaped; values in `liquid` are inserted as they are (the app's own Liquid output tags)
  const t = (key: Key, vars: Record<string, string | number> = {}, liquid: Record<string, string> = {}) =>
    escapeForLiquid(TEXTS[lang][key]).replace(/&#123;(\w+)&#125;/g, (m, k: string) =>
      k in liquid ? liquid[k]! : k in vars ? escapeForLiquid(String(vars[k])) : m,
    );
  const { program } = input;
  const own = program.storefront.texts[lang];
  const title = own.panelTitle.trim() ? escapeForLiquid(own.panelTitle.trim()) : t("title", {}, { shop: "{{ shop.name | escape }}" });
  const intro = own.guestIntro.trim() ? escapeForLiquid(own.guestIntro.trim()) : t("intro");
  const fmt = new Intl.NumberFormat(lang === "de" ? "de-DE" : "en-US");
  const out: string[] = [`<h1 class="stk-page__title">${title}</h1>`];
  if (!program.enabled) return [...out, `<p>${t("paused")}</p>`].join("\n");
  out.push(`<p class="stk-page__intro">${intro}</p>`);
  // the one personal part, rendered by Shopify's Liquid for the signed-in shopper
  out.push(
    `{%- if customer -%}<div class="stk-page__member" data-stk-page-member>` +
      `<p>${t("member.greeting", {}, { name: "{{ customer.first_name | escape }}" })}` +
      `{%- if customer.metafields['$app:loyalty'].status %} ${t("member.balance", {}, { points: "<strong>{{ customer.metafields['$app:loyalty'].status.value.points }}</strong>" })}{%- endif -%}</p>` +
      `<p><a class="stk-button" href="{{ routes.root_url }}" data-stk-open>${t("member.open")}</a></p></div>` +
      `{%- else -%}<p class="stk-page__cta"><a class="stk-button" href="{{ routes.account_register_url }}">${t("guest.join")}</a> <a href="{{ routes.account_login_url }}">${t("guest.sign_in")}</a></p>{%- endif -%}`,
  );
  out.push(`<h2>${t("how.heading")}</h2><ol class="stk-page__steps"><li>${t("how.join")}</li><li>${t("how.earn")}</li><li>${t("how.redeem")}</li></ol>`);
  const ways: string[] = [];
  if (program.purchase.enabled && program.purchase.pointsPerUnit > 0) {
    const unit = new Intl.NumberFormat(lang === "de" ? "de-DE" : "en-US", { style: "currency", currency: input.currency, maximumFractionDigits: 0 }).format(1);
    ways.push(t("earn.purchase", { points: fmt.format(program.purchase.pointsPerUnit), unit }));
  }
  const a = program.actions;
  for (const key of ["signup", "newsletter", "birthday", "review", "social"] as const) {
    if (!a[key].enabled) continue;
    ways.push(`<strong>${escapeForLiquid(a[key].texts[lang].title)}</strong> · ${t("earn.points", { points: fmt.format(a[key].points) })}<br>${escapeForLiquid(a[key].texts[lang].description)}`);
  }
  if (ways.length) out.push(`<h2>${t("earn.heading")}</h2><ul class="stk-page__list" data-stk-page-earn>${ways.map((w) => `<li>${w}</li>`).join("")}</ul>`);
  // tier-only rewards carry "Gold members only" (the page is the same for everyone); one no tier
  // can take (tiers off, its tiers removed) is left out
  const listed = input.rewards.flatMap((r) => {
    const access = tierAccess(r, null, program.tiers, lang);
    if (access.kind === "hidden") return [];
    return [{ r, only: access.kind === "locked" ? tierOnlyText(access.tierNames, TEXTS[lang]["rewards.tier_only"], own.tierOnly) : null }];
  });
  if (listed.length) {
    out.push(
      `<h2>${t("rewards.heading")}</h2><ul class="stk-page__list" data-stk-page-rewards>${listed
        .map(
          ({ r, only }) =>
            `<li><strong>${escapeForLiquid(r.texts[lang].title)}</strong> (${escapeForLiquid(rewardValueText(r, input.currency, lang))}) · ${t("rewards.cost", { points: fmt.format(r.pointsCost) })}` +
            `${only ? ` · <em data-stk-tier-only>${escapeForLiquid(only)}</em>` : ""}</li>`,
        )
        .join("")}</ul>`,
    );
  }
  return out.join("\n");
}

const STYLE = `<style>.stk-page{max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}.stk-page__list{padding-left:1.2rem}.stk-page__list li{margin:.4rem 0}.stk-page .stk-button{display:inline-block;padding:.6rem 1rem;border-radius:6px;background:#1f5130;color:#fff;text-decoration:none}</style>`;

/** The Liquid source of the rewards page. */
export function rewardsPageLiquid(input: RewardsPageInput): string {
  return [
    STYLE,
    `<div class="stk-page" data-stk-page>`,
    `{%- assign stk_lang = request.locale.iso_code | slice: 0, 2 -%}`,
    `{%- if stk_lang == 'de' -%}`,
    section("de", input),
    `{%- else -%}`,
    section("en", input),
    `{%- endif -%}`,
    `</div>`,
  ].join("\n");
}
