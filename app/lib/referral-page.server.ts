// The friend's landing page and claim answer, as app-proxy Liquid pages (Content-Type
// application/liquid): Shopify renders them inside the shop's theme and picks the language with
// request.locale, so both languages are in the answer. Everything we insert is HTML-escaped and
// its braces are entities, so no text (a merchant's offer, a code) can become Liquid.
import { CLAIM_ERRORS, type ClaimErrorKey, type ReferralSettings } from "~/domain/referrals";
import { escapeForLiquid } from "~/domain/rewards-page";

type Both = { en: string; de: string };

const escape = escapeForLiquid;

/** Both languages, chosen by the storefront's language when Shopify renders the page. */
function both(t: Both): string {
  return `{% if request.locale.iso_code == "de" %}${escape(t.de)}{% else %}${escape(t.en)}{% endif %}`;
}

const T = {
  email: { en: "Your email address", de: "Deine E-Mail-Adresse" },
  claim: { en: "Get my code", de: "Code holen" },
  yourCode: { en: "Your code", de: "Dein Code" },
  apply: { en: "Apply it to my cart and shop", de: "Im Warenkorb einlösen und einkaufen" },
  wait: { en: "Your code is on its way. Please reload the page in a minute.", de: "Dein Code ist unterwegs. Bitte lade die Seite in einer Minute neu." },
  notFoundTitle: { en: "This link doesn't work (any more)", de: "Dieser Link funktioniert nicht (mehr)" },
  notFoundText: { en: "Ask your friend for a new link, or just have a look around.", de: "Frag nach einem neuen Link oder schau dich einfach um." },
  shop: { en: "Go to the shop", de: "Zum Shop" },
};

const STYLE = `<style>.stk-ref{max-width:32rem;margin:2rem auto;padding:1.5rem;text-align:center}.stk-ref form{display:flex;flex-direction:column;gap:.75rem;margin-top:1rem}.stk-ref input{padding:.6rem;font-size:1rem}.stk-ref button,.stk-ref .stk-ref-apply{padding:.7rem 1rem;font-size:1rem;cursor:pointer}.stk-ref-code{font-size:1.5rem;font-weight:700;letter-spacing:.08em}</style>`;

// Sets the first-party cookie and the cart attribute (stk_ref = CODE.VISIT.DEVICE), and claims the
// code without leaving the page. Plain ES5, no Liquid delimiters.
const SCRIPT = `<script>
(function () {
  var root = document.querySelector("[data-stk-referral]");
  if (!root) return;
  var code = root.getAttribute("data-code"), visit = root.getAttribute("data-visit");
  var device = null;
  try { device = window.localStorage.getItem("stk_dev"); } catch (e) {}
  if (!device || !/^[A-Za-z0-9_-]{8,64}$/.test(device)) {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    device = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    try { window.localStorage.setItem("stk_dev", device); } catch (e) {}
  }
  var ref = code + "." + visit + "." + device;
  document.cookie = "stk_ref=" + ref + "; path=/; max-age=2592000; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  var attributes = {};
  attributes.stk_ref = ref;
  fetch("/cart/update.js", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ attributes: attributes }) }).catch(function () {});
  var form = root.querySelector("form");
  if (!form) return;
  form.elements.device.value = device;
  var result = root.querySelector("[data-stk-result]");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    var body = { code: code, visit: visit, device: device };
    if (form.elements.email) body.email = form.elements.email.value;
    fetch(form.action, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        button.disabled = false;
        result.hidden = false;
        if (answer.code) {
          result.querySelector("[data-stk-code]").textContent = answer.code;
          result.querySelector("a").setAttribute("href", answer.applyUrl);
          result.querySelector("[data-stk-ok]").hidden = false;
          result.querySelector("[data-stk-error]").hidden = true;
          form.hidden = true;
        } else {
          var error = result.querySelector("[data-stk-error]");
          error.textContent = answer.message || root.getAttribute("data-wait");
          error.hidden = false;
        }
      })
      .catch(function () { button.disabled = false; });
  });
})();
</script>`;

export interface LandingInput {
  code: string;
  visit: string;
  settings: ReferralSettings;
  offer: Both;
  loggedIn: boolean;
}

export function landingPage(p: LandingInput): string {
  const t = p.settings.texts;
  return `${STYLE}
<section class="stk-ref" data-stk-referral data-testid="referral-landing" data-code="${escape(p.code)}" data-visit="${escape(p.visit)}" data-wait="${both(T.wait)}">
  <h1 data-testid="referral-title">${both({ en: t.en.title, de: t.de.title })}</h1>
  <p data-testid="referral-description">${both({ en: t.en.description, de: t.de.description })}</p>
  <p data-testid="referral-offer"><strong>${both(p.offer)}</strong></p>
  <form method="post" action="/apps/loyalty/referral-claim" data-testid="referral-form">
    <input type="hidden" name="code" value="${escape(p.code)}">
    <input type="hidden" name="visit" value="${escape(p.visit)}">
    <input type="hidden" name="device" value="">
    ${p.loggedIn ? "" : `<label>${both(T.email)} <input type="email" name="email" required autocomplete="email" data-testid="referral-email"></label>`}
    <button type="submit" data-testid="referral-claim">${both(T.claim)}</button>
  </form>
  <div data-stk-result data-testid="referral-result" hidden>
    <div data-stk-ok hidden>
      <p>${both(T.yourCode)}: <span class="stk-ref-code" data-stk-code data-testid="referral-code"></span></p>
      <a class="stk-ref-apply" href="/" data-testid="referral-apply">${both(T.apply)}</a>
    </div>
    <p data-stk-error data-testid="referral-error" hidden></p>
  </div>
</section>
${SCRIPT}`;
}

/** The answer to a form post without JavaScript: the code and its apply link, or why not. */
export function claimPage(r: { code: string; applyUrl: string } | { error: ClaimErrorKey } | { waiting: true }): string {
  let body: string;
  if ("code" in r) {
    body = `<p>${both(T.yourCode)}: <span class="stk-ref-code" data-testid="referral-code">${escape(r.code)}</span></p>
  <a class="stk-ref-apply" href="${escape(r.applyUrl)}" data-testid="referral-apply">${both(T.apply)}</a>`;
  } else if ("error" in r) {
    body = `<p data-testid="referral-error">${both(CLAIM_ERRORS[r.error])}</p>`;
  } else {
    body = `<p data-testid="referral-error">${both(T.wait)}</p>`;
  }
  return `${STYLE}\n<section class="stk-ref" data-testid="referral-result">\n  ${body}\n</section>`;
}

export function notFoundPage(): string {
  return `${STYLE}
<section class="stk-ref" data-testid="referral-not-found">
  <h1>${both(T.notFoundTitle)}</h1>
  <p>${both(T.notFoundText)}</p>
  <a href="/">${both(T.shop)}</a>
</section>`;
}

/** An app-proxy answer Shopify renders as Liquid in the theme; never cached (it records a visit). */
export function liquid(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "Content-Type": "application/liquid", "Cache-Control": "private, no-store" } });
}
