/*
 * devstore App Bridge stand-in. Shopify's App Bridge loads from cdn.shopify.com, which this
 * offline store can't reach; this script gives an embedded app the same surface it uses:
 * window.shopify (config, idToken(), toast, loading, environment), fetch carrying a fresh session
 * token to the app's own origin, and the <ui-title-bar> / <ui-nav-menu> elements, reported to the
 * admin frame around it with postMessage.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  var meta = document.querySelector('meta[name="shopify-api-key"]');
  var apiKey = script.getAttribute("data-api-key") || (meta && meta.getAttribute("content")) || "";
  var params = new URLSearchParams(location.search);
  function remember(name) {
    var v = params.get(name);
    if (v) sessionStorage.setItem("stk-ab-" + name, v);
    return v || sessionStorage.getItem("stk-ab-" + name) || "";
  }
  var shop = remember("shop");
  var host = remember("host");
  var locale = remember("locale") || "en";
  var realFetch = window.fetch.bind(window);
  var cached = null;

  function idToken() {
    if (cached && cached.exp - 10 > Date.now() / 1000) return Promise.resolve(cached.token);
    var url = origin + "/admin/app-bridge/id-token?shop=" + encodeURIComponent(shop) + "&api_key=" + encodeURIComponent(apiKey);
    return realFetch(url)
      .then(function (r) {
        if (!r.ok) throw new Error("session token refused: " + r.status);
        return r.json();
      })
      .then(function (j) {
        cached = j;
        return j.token;
      });
  }

  window.fetch = function (input, init) {
    var raw = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    var url = new URL(raw, location.href);
    if (url.origin !== location.origin) return realFetch(input, init);
    return idToken().then(function (token) {
      var request = new Request(input, init);
      var headers = new Headers(request.headers);
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + token);
      return realFetch(new Request(request, { headers: headers }));
    });
  };

  function post(message) {
    message.source = "stk-app-bridge";
    if (window.parent !== window) window.parent.postMessage(message, "*");
  }

  window.shopify = {
    config: { apiKey: apiKey, shop: shop, host: host, locale: locale },
    environment: { embedded: window.parent !== window, mobile: false, pos: false },
    idToken: idToken,
    toast: {
      show: function (message, options) {
        post({ type: "toast", message: String(message), isError: Boolean(options && options.isError) });
        return "toast-" + Date.now();
      },
      hide: function () {},
    },
    loading: function (on) {
      post({ type: "loading", on: on !== false });
    },
  };

  function define(name, impl) {
    if (!customElements.get(name)) customElements.define(name, impl);
  }
  define(
    "ui-title-bar",
    class extends HTMLElement {
      static get observedAttributes() {
        return ["title"];
      }
      connectedCallback() {
        this.style.display = "none";
        post({ type: "title", title: this.getAttribute("title") || "" });
      }
      attributeChangedCallback() {
        post({ type: "title", title: this.getAttribute("title") || "" });
      }
    },
  );
  define(
    "ui-nav-menu",
    class extends HTMLElement {
      connectedCallback() {
        this.style.display = "none";
        var items = Array.prototype.map.call(this.querySelectorAll("a"), function (a) {
          return { label: a.textContent.trim(), href: a.getAttribute("href"), home: a.getAttribute("rel") === "home" };
        });
        post({ type: "nav", items: items });
      }
    },
  );

  // The admin frame asks the app to show one of its pages (a click in the admin's side navigation).
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.source !== "stk-admin" || data.type !== "navigate") return;
    idToken().then(function (token) {
      var target = new URL(data.path, location.origin);
      target.searchParams.set("embedded", "1");
      target.searchParams.set("shop", shop);
      target.searchParams.set("host", host);
      target.searchParams.set("locale", locale);
      target.searchParams.set("id_token", token);
      location.href = target.href;
    });
  });
})();
