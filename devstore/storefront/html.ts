import { orderTotals } from "../commerce/order-math.ts";
import { toFixedString } from "../core/money.ts";
import type { ShopState } from "../state/shop.ts";
import type { CustomerRecord, OrderRecord, ProductRecord, VariantRecord } from "../state/types.ts";
import type { CartTotals } from "./cart.ts";
import { THEME_TRANSLATIONS } from "./i18n.ts";
import { translate } from "./liquid.ts";
import { formatMoney, liquidCents, moneyFormats } from "./money.ts";
import { languageInfo } from "./objects.ts";
import type { RenderedTheme } from "./theme.ts";

/** Server-rendered pages of the devstore storefront. Every dynamic value goes through esc(). */

export function esc(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

export interface PageFrame {
  shop: ShopState;
  shops: ShopState[];
  customer: CustomerRecord | null;
  locale: string;
  locales: string[];
  template: string;
  path: string;
  cartCount: number;
}

export type Tr = (key: string, vars?: Record<string, unknown>) => string;

export function translator(locale: string): Tr {
  return (key, vars = {}) => translate(THEME_TRANSLATIONS, locale, key, vars, true);
}

export function money(shop: ShopState, minor: number): string {
  return formatMoney(liquidCents(minor, shop.currency), moneyFormats(shop.currency).money_format);
}

/** A decimal amount in the shop currency ("14.50"), as data-amount attributes carry it. */
export function amount(shop: ShopState, minor: number): string {
  return toFixedString(minor, shop.currency);
}

export function customerName(customer: CustomerRecord): string {
  return [customer.firstName, customer.lastName].filter(Boolean).join(" ") || customer.email || `#${customer.id}`;
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#fafaf7}
a{color:#0b5cad}header.site-header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between;padding:.75rem 1.5rem;background:#fff;border-bottom:1px solid #e3e3de}
.shop-name{font-weight:700;font-size:1.25rem;text-decoration:none;color:#1f2328}nav{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
.locale-switch a{padding:0 .25rem}.locale-switch a[aria-current]{font-weight:700;text-decoration:none;color:#1f2328}
main{max-width:64rem;margin:0 auto;padding:1.5rem}footer{color:#6a6a66;font-size:.85rem;text-align:center;padding:2rem 1rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem;padding:0;list-style:none}
.card{background:#fff;border:1px solid #e3e3de;border-radius:.5rem;padding:1rem}.card h2{font-size:1.05rem;margin:.25rem 0}
.price{font-weight:600}table{width:100%;border-collapse:collapse;background:#fff}th,td{text-align:left;padding:.5rem;border-bottom:1px solid #e3e3de}
td.num,th.num{text-align:right}input,select,button{font:inherit;padding:.4rem .6rem;border:1px solid #b9b9b3;border-radius:.35rem}
button{background:#1f2328;color:#fff;border-color:#1f2328;cursor:pointer}button.secondary{background:#fff;color:#1f2328}
input[type=number]{width:5rem}.notice{padding:.75rem 1rem;border-radius:.35rem;background:#eef6ee;border:1px solid #9fcf9f}
.error{padding:.75rem 1rem;border-radius:.35rem;background:#fdeeee;border:1px solid #e59a9a;color:#8a1f1f}
.summary{max-width:34rem}.summary dl{display:grid;grid-template-columns:1fr auto;gap:.25rem 1rem}.summary dd{margin:0;text-align:right}
.app-blocks:empty{display:none}.app-blocks{margin:1.5rem 0}.stack{display:flex;flex-direction:column;gap:.75rem}.row{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
`;

function shopifyGlobals(frame: PageFrame): string {
  const data = {
    shop: frame.shop.domain,
    locale: frame.locale,
    currency: { active: frame.shop.currency, rate: "1.0" },
    country: frame.shop.countryCode,
    routes: { root: "/" },
    designMode: false,
  };
  const analytics = { meta: { page: { pageType: frame.template, customerId: frame.customer?.id ?? null } } };
  const json = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c");
  return `<script>window.Shopify=Object.assign(window.Shopify||{},${json(data)});window.ShopifyAnalytics=${json(analytics)};</script>`;
}

/** The theme layout: header (shop, cart count, login state, language), main, app embeds. */
export function layout(frame: PageFrame, title: string, main: string, theme: RenderedTheme | null): string {
  const t = translator(frame.locale);
  const returnTo = encodeURIComponent(frame.path);
  const languages = frame.locales
    .map((code) => {
      const info = languageInfo(code, code === frame.locales[0]);
      const current = code === frame.locale ? ' aria-current="true"' : "";
      return `<a href="/localization?language_code=${esc(code)}&amp;return_to=${esc(returnTo)}" data-testid="locale-${esc(code)}" hreflang="${esc(code)}" title="${esc(info.endonym_name)}"${current}>${esc(code.toUpperCase())}</a>`;
    })
    .join("");
  const account = frame.customer
    ? `<a href="/account" data-testid="account-link" data-customer-id="${frame.customer.id}">${esc(customerName(frame.customer))}</a> <a href="/account/logout" data-testid="logout-link">${t("general.logout")}</a>`
    : `<a href="/account/login" data-testid="login-link">${t("general.login")}</a>`;
  const shops =
    frame.shops.length > 1
      ? `<span class="shop-switch" data-testid="shop-switch">${frame.shops
          .map((s) => `<a href="/?shop=${esc(s.domain)}" data-testid="shop-switch-${esc(s.handle)}"${s === frame.shop ? ' aria-current="true"' : ""}>${esc(s.name)}</a>`)
          .join(" · ")}</span>`
      : "";
  return `<!doctype html>
<html lang="${esc(frame.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title === frame.shop.name ? "" : `${esc(title)} – `}${esc(frame.shop.name)}</title>
<style>${CSS}</style>
${shopifyGlobals(frame)}
${theme?.head ?? ""}
</head>
<body data-template="${esc(frame.template)}" data-shop="${esc(frame.shop.domain)}" data-locale="${esc(frame.locale)}">
<header class="site-header">
<a href="/" class="shop-name" data-testid="shop-name">${esc(frame.shop.name)}</a>
<nav>
<a href="/collections/all" data-testid="all-products-link">${t("products.all")}</a>
<a href="/cart" data-testid="cart-link">${t("general.cart")} (<span data-testid="cart-count">${frame.cartCount}</span>)</a>
<span class="account" data-testid="account-status" data-logged-in="${frame.customer ? "true" : "false"}">${account}</span>
<span class="locale-switch" data-testid="locale-switch" aria-label="${t("general.language")}">${languages}</span>
${shops}
</nav>
</header>
<main id="MainContent">
${main}
</main>
<footer>devstore storefront · ${esc(frame.shop.domain)}</footer>
${theme?.bodyEnd ?? ""}
</body>
</html>`;
}

/** Checkout and order status: Shopify's own pages, outside the theme (no app embeds). */
export function checkoutLayout(frame: PageFrame, title: string, main: string): string {
  return `<!doctype html>
<html lang="${esc(frame.locale)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} – ${esc(frame.shop.name)}</title><style>${CSS}</style></head>
<body data-template="checkout" data-shop="${esc(frame.shop.domain)}" data-locale="${esc(frame.locale)}">
<header class="site-header"><a href="/" class="shop-name" data-testid="shop-name">${esc(frame.shop.name)}</a><a href="/cart" data-testid="cart-link">${translator(frame.locale)("general.cart")}</a></header>
<main>${main}</main>
</body>
</html>`;
}

export function appBlocks(template: string, theme: RenderedTheme): string {
  return `<section class="app-blocks" data-testid="app-blocks" data-template="${esc(template)}">${theme.sections}</section>`;
}

function lowestPrice(shop: ShopState, product: ProductRecord): { price: number; varies: boolean } {
  const prices = product.variantIds.map((id) => shop.variants.get(id)?.price ?? 0);
  return { price: Math.min(...prices), varies: new Set(prices).size > 1 };
}

export function productGrid(frame: PageFrame, products: ProductRecord[], heading: string, theme: RenderedTheme): string {
  const t = translator(frame.locale);
  const cards = products
    .map((p) => {
      const { price, varies } = lowestPrice(frame.shop, p);
      const shown = varies ? t("products.from", { price: money(frame.shop, price) }) : esc(money(frame.shop, price));
      return `<li class="card" data-testid="product-card" data-product-handle="${esc(p.handle)}" data-product-id="${p.id}">
<h2><a href="/products/${esc(p.handle)}" data-testid="product-link" data-product-handle="${esc(p.handle)}">${esc(p.title)}</a></h2>
<div class="vendor">${esc(p.vendor)}</div>
<div class="price" data-testid="product-card-price">${shown}</div>
</li>`;
    })
    .join("\n");
  return `<h1>${esc(heading)}</h1>
<ul class="grid" data-testid="product-grid">${cards}</ul>
${appBlocks(frame.template, theme)}`;
}

export function productPage(frame: PageFrame, product: ProductRecord, variants: VariantRecord[], selected: VariantRecord, theme: RenderedTheme): string {
  const t = translator(frame.locale);
  const options = variants
    .map((v) => `<option value="${v.id}"${v === selected ? " selected" : ""}>${esc(v.title)} – ${esc(money(frame.shop, v.price))}</option>`)
    .join("");
  const picker =
    variants.length === 1 && variants[0]!.title === "Default Title"
      ? `<input type="hidden" name="id" value="${selected.id}" data-testid="variant-id">`
      : `<label>${t("products.variant")} <select name="id" data-testid="variant-select">${options}</select></label>`;
  return `<article class="product" data-testid="product" data-product-id="${product.id}" data-product-handle="${esc(product.handle)}">
<h1 data-testid="product-title">${esc(product.title)}</h1>
<div class="vendor">${esc(product.vendor)}</div>
<p class="price" data-testid="product-price" data-amount="${amount(frame.shop, selected.price)}">${esc(money(frame.shop, selected.price))}</p>
<form method="post" action="/cart/add" class="row" data-testid="product-form">
${picker}
<label>${t("products.quantity")} <input type="number" name="quantity" value="1" min="1" data-testid="quantity-input"></label>
<button type="submit" data-testid="add-to-cart">${t("products.add_to_cart")}</button>
</form>
${appBlocks(frame.template, theme)}
</article>`;
}

function discountReason(t: Tr, reason: string): string {
  return t(`checkout.errors.${reason}`);
}

export function cartPage(frame: PageFrame, totals: CartTotals, attributes: Record<string, string>, theme: RenderedTheme): string {
  const t = translator(frame.locale);
  const shop = frame.shop;
  if (!totals.lines.length) {
    const code = totals.discount
      ? `<form method="post" action="/cart/update"><p data-testid="cart-discount-code" data-code="${esc(totals.discount.code)}">${t("cart.discount_code")}: <strong>${esc(totals.discount.code)}</strong> (${t("cart.discount_pending")}) <button type="submit" name="discount" value="" class="secondary" data-testid="cart-discount-remove">${t("cart.discount_remove")}</button></p></form>`
      : "";
    return `<h1>${t("cart.title")}</h1><p data-testid="cart-empty">${t("cart.empty")}</p>${code}<p><a href="/collections/all">${t("general.continue_shopping")}</a></p>${appBlocks(frame.template, theme)}`;
  }
  const rows = totals.lines
    .map(
      (l, i) => `<tr data-testid="cart-line" data-line="${i + 1}" data-variant-id="${l.variant.id}" data-key="${esc(l.line.key)}">
<td><a href="/products/${esc(l.product.handle)}?variant=${l.variant.id}">${esc(l.product.title)}</a>${l.variant.title === "Default Title" ? "" : ` <small>${esc(l.variant.title)}</small>`}${Object.entries(l.line.properties)
        .filter(([k]) => !k.startsWith("_"))
        .map(([k, v]) => `<br><small>${esc(k)}: ${esc(v)}</small>`)
        .join("")}</td>
<td class="num">${esc(money(shop, l.price))}</td>
<td class="num"><input type="number" min="0" name="updates[${esc(l.line.key)}]" value="${l.line.quantity}" data-testid="cart-quantity-${l.variant.id}" aria-label="${t("cart.quantity")}"></td>
<td class="num" data-testid="cart-line-total" data-amount="${amount(shop, l.finalLinePrice)}">${esc(money(shop, l.finalLinePrice))}</td>
<td><a href="/cart/change?line=${i + 1}&amp;quantity=0" data-testid="cart-remove-${l.variant.id}">${t("cart.remove")}</a></td>
</tr>`,
    )
    .join("\n");
  const discount = totals.discount
    ? `<p data-testid="cart-discount-code" data-code="${esc(totals.discount.code)}" data-applicable="${totals.discount.applicable}">${t("cart.discount_code")}: <strong>${esc(totals.discount.code)}</strong>${
        totals.discount.applicable ? ` (−${esc(money(shop, totals.discount.amount))})` : ` — <span data-testid="cart-discount-error" data-reason="${esc(totals.discount.rejection.reason)}">${esc(discountReason(t, totals.discount.rejection.reason))}</span>`
      } <button type="submit" name="discount" value="" class="secondary" data-testid="cart-discount-remove">${t("cart.discount_remove")}</button></p>`
    : "";
  const attrs = Object.keys(attributes).length
    ? `<details data-testid="cart-attributes"><summary>${t("cart.attributes")}</summary><dl>${Object.entries(attributes)
        .map(([k, v]) => `<dt>${esc(k)}</dt><dd data-attribute="${esc(k)}">${esc(v)}</dd>`)
        .join("")}</dl></details>`
    : "";
  return `<h1>${t("cart.title")}</h1>
<form method="post" action="/cart/update" data-testid="cart-form" class="stack">
<table><thead><tr><th>${t("cart.product")}</th><th class="num">${t("cart.price")}</th><th class="num">${t("cart.quantity")}</th><th class="num">${t("cart.total")}</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>
${discount}
${attrs}
<p>${t("cart.subtotal")}: <strong data-testid="cart-total" data-amount="${amount(shop, totals.subtotal)}">${esc(money(shop, totals.subtotal))}</strong></p>
<div class="row"><button type="submit" class="secondary" data-testid="cart-update">${t("cart.update")}</button>
<button type="submit" name="checkout" value="1" data-testid="cart-checkout">${t("cart.checkout")}</button></div>
</form>
${appBlocks(frame.template, theme)}`;
}

export interface CheckoutView {
  totals: CartTotals;
  email: string;
  emailLocked: boolean;
  code: string;
  error: { kind: "discount"; reason: string } | { kind: "email" } | null;
}

export function checkoutPage(frame: PageFrame, view: CheckoutView): string {
  const t = translator(frame.locale);
  const shop = frame.shop;
  const { totals } = view;
  const lines = totals.lines
    .map((l) => `<dt>${esc(l.product.title)}${l.variant.title === "Default Title" ? "" : ` (${esc(l.variant.title)})`} × ${l.line.quantity}</dt><dd>${esc(money(shop, l.linePrice))}</dd>`)
    .join("");
  const discountTotal = totals.lineDiscounts + totals.shippingDiscount;
  const applied =
    totals.discount?.applicable === true
      ? `<dt>${t("checkout.discount_line", { code: totals.discount.code })}</dt><dd data-testid="checkout-discount" data-amount="${amount(shop, discountTotal)}">−${esc(money(shop, discountTotal))}</dd>`
      : "";
  const error = view.error
    ? view.error.kind === "discount"
      ? `<p class="error" role="alert" data-testid="checkout-error" data-reason="${esc(view.error.reason)}">${esc(discountReason(t, view.error.reason))}</p>`
      : `<p class="error" role="alert" data-testid="checkout-error" data-reason="email">${t("checkout.email_required")}</p>`
    : totals.discount && !totals.discount.applicable
      ? `<p class="error" data-testid="discount-error" data-reason="${esc(totals.discount.rejection.reason)}">${esc(discountReason(t, totals.discount.rejection.reason))}</p>`
      : "";
  const taxes = totals.taxesIncluded
    ? `<p><small>${t("checkout.taxes_included", { tax: money(shop, totals.tax) })}</small></p>`
    : "";
  return `<h1>${t("checkout.title")}</h1>
${error}
<form method="post" action="/checkout" class="stack summary" data-testid="checkout-form">
<fieldset class="stack"><legend>${t("checkout.contact")}</legend>
<label>${t("checkout.email")} <input type="email" name="email" value="${esc(view.email)}" data-testid="checkout-email"${view.emailLocked ? " readonly" : ""}></label>
</fieldset>
<div class="row"><label>${t("checkout.discount")} <input type="text" name="discount" value="${esc(view.code)}" data-testid="discount-input" autocomplete="off"></label>
<button type="submit" name="intent" value="apply" class="secondary" data-testid="discount-apply">${t("checkout.apply")}</button></div>
<dl data-testid="checkout-summary">${lines}
<dt>${t("checkout.subtotal")}</dt><dd data-testid="checkout-subtotal" data-amount="${amount(shop, totals.original)}">${esc(money(shop, totals.original))}</dd>
${applied}
${totals.requiresShipping ? `<dt>${t("checkout.shipping")}</dt><dd data-testid="checkout-shipping">${esc(money(shop, totals.shipping))}</dd>` : ""}
${totals.taxesIncluded ? "" : `<dt>${t("checkout.taxes")}</dt><dd>${esc(money(shop, totals.tax))}</dd>`}
<dt><strong>${t("checkout.total")}</strong></dt><dd><strong data-testid="checkout-total" data-amount="${amount(shop, totals.total)}">${esc(money(shop, totals.total))}</strong></dd>
</dl>
${taxes}
<p><small>${t("checkout.test_gateway")}</small></p>
<button type="submit" name="intent" value="pay" data-testid="checkout-pay">${t("checkout.pay")}</button>
</form>`;
}

export function orderStatusPage(frame: PageFrame, order: OrderRecord): string {
  const t = translator(frame.locale);
  const shop = frame.shop;
  const totals = orderTotals(order);
  const lines = order.lineItems
    .map((l) => `<li data-testid="order-line" data-variant-id="${l.variantId ?? ""}">${esc(l.title)}${l.variantTitle ? ` (${esc(l.variantTitle)})` : ""} × ${l.quantity}</li>`)
    .join("");
  const codes = order.discountCodes
    .map((d) => `<p data-testid="order-discount" data-code="${esc(d.code)}" data-amount="${amount(shop, d.amount)}">${t("order.discount")}: ${esc(d.code)} (−${esc(money(shop, d.amount))})</p>`)
    .join("");
  return `<section data-testid="order-confirmation" data-order-id="${order.id}" data-order-name="${esc(order.name)}" class="stack">
<h1>${t("order.title")}</h1>
<p data-testid="order-name">${t("order.number", { name: order.name })}</p>
${order.email ? `<p>${t("order.confirmation", { email: order.email })}</p>` : ""}
<ul>${lines}</ul>
${codes}
<p>${t("order.total")}: <strong data-testid="order-total" data-amount="${amount(shop, totals.total)}">${esc(money(shop, totals.total))}</strong></p>
<p>${t("order.status")}: <span data-testid="order-financial-status">${esc(order.financialStatus)}</span></p>
<p><a href="/" data-testid="continue-shopping">${t("general.continue_shopping")}</a></p>
</section>`;
}

export function loginPage(frame: PageFrame, customers: CustomerRecord[], error: string | null, returnTo: string | null): string {
  const t = translator(frame.locale);
  const hidden = returnTo ? `<input type="hidden" name="return_to" value="${esc(returnTo)}">` : "";
  const rows = customers
    .map(
      (c) => `<li class="row" data-testid="login-customer" data-customer-id="${c.id}">
<form method="post" action="/account/login" class="row"><input type="hidden" name="customer_id" value="${c.id}">${hidden}
<button type="submit" data-testid="login-as-${c.id}">${t("account.login_as")} ${esc(customerName(c))}</button></form>
<small>${esc(c.email ?? "")}${c.tags.length ? ` · ${esc(c.tags.join(", "))}` : ""}</small></li>`,
    )
    .join("\n");
  return `<h1>${t("account.login_title")}</h1>
${error ? `<p class="error" role="alert" data-testid="login-error">${esc(error)}</p>` : ""}
<p>${t("account.login_intro")}</p>
${customers.length ? `<ul class="stack" style="list-style:none;padding:0" data-testid="login-customers">${rows}</ul>` : `<p data-testid="login-no-customers">${t("account.no_customers")}</p>`}
<form method="post" action="/account/login" class="row">${hidden}
<label>${t("account.email")} <input type="email" name="email" data-testid="login-email"></label>
<button type="submit" data-testid="login-submit">${t("account.login_submit")}</button>
</form>`;
}

export function accountPage(frame: PageFrame, customer: CustomerRecord, orders: OrderRecord[], theme: RenderedTheme): string {
  const t = translator(frame.locale);
  const shop = frame.shop;
  const rows = orders
    .map((o) => {
      const total = orderTotals(o).currentTotal;
      return `<tr data-testid="account-order-${o.id}" data-order-name="${esc(o.name)}"><td><a href="/${shop.id}/orders/${esc(o.token)}">${esc(o.name)}</a></td><td>${esc(new Date(o.createdAt).toISOString().slice(0, 10))}</td><td>${esc(o.financialStatus)}</td><td class="num">${esc(money(shop, total))}</td></tr>`;
    })
    .join("\n");
  return `<h1>${t("account.title")}</h1>
<p data-testid="account-name" data-customer-id="${customer.id}">${esc(customerName(customer))}${customer.email ? ` · ${esc(customer.email)}` : ""}</p>
${customer.tags.length ? `<p>${t("account.tags")}: <span data-testid="account-tags">${esc(customer.tags.join(", "))}</span></p>` : ""}
<h2>${t("account.orders")}</h2>
${
  orders.length
    ? `<table data-testid="account-orders"><thead><tr><th>${t("account.order")}</th><th>${t("account.date")}</th><th>${t("account.payment")}</th><th class="num">${t("account.total")}</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<p data-testid="account-no-orders">${t("account.no_orders")}</p>`
}
${appBlocks(frame.template, theme)}`;
}

export function notFoundPage(frame: PageFrame): string {
  const t = translator(frame.locale);
  return `<h1 data-testid="not-found">${t("general.not_found")}</h1><p><a href="/">${t("general.home")}</a></p>`;
}

export function errorPage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${CSS}</style></head><body><main><h1>${esc(title)}</h1><pre class="error" data-testid="liquid-error">${esc(message)}</pre></main></body></html>`;
}
