/* Stammkunde rewards launcher: opens the panel, asks the app once (through the signed app proxy)
   for the program, and for a signed-in shopper their points, rewards, codes and referral link. */
(function () {
  "use strict";
  if (window.StammkundeRewards) return;
  var first;
  document.querySelectorAll("[data-stk-root]").forEach(function (root) {
    var launcher = root.querySelector("[data-stk-launcher]");
    var panel = root.querySelector("[data-stk-panel]");
    var proxy = root.getAttribute("data-proxy");
    var query = "?locale=" + encodeURIComponent(root.getAttribute("data-locale") || "");
    var t = root.querySelector("[data-stk-t]");
    var loaded = false;
    var lang = document.documentElement.lang || undefined;
    function $(sel) {
      return root.querySelector(sel);
    }
    function text(name) {
      return (t && t.getAttribute("data-" + name)) || "";
    }
    function show(sel, on) {
      var e = $(sel);
      if (e) e.hidden = !on;
    }
    function fmt(n) {
      return new Intl.NumberFormat(lang).format(n);
    }
    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, function (m, k) {
        return k in values ? values[k] : m;
      });
    }
    function el(tag, cls, txt) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (txt) e.textContent = txt;
      return e;
    }
    function button(cls, label, onClick) {
      var b = el("button", cls, label);
      b.type = "button";
      b.addEventListener("click", onClick);
      return b;
    }
    function send(path, body) {
      return fetch(proxy + path + query, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, credentials: "same-origin", body: JSON.stringify(body) });
    }
    function copy(value, b) {
      if (navigator.clipboard)
        navigator.clipboard.writeText(value).then(function () {
          b.textContent = text("copied");
        });
    }
    function showCode(code) {
      $("[data-stk-code-value]").textContent = code;
      $("[data-stk-apply]").setAttribute("href", "/discount/" + encodeURIComponent(code) + "?redirect=%2Fcart");
      show("[data-stk-code]", true);
    }
    function renderEarn(ways, member) {
      var list = $("[data-stk-earn-list]");
      list.textContent = "";
      ways.forEach(function (w) {
        var li = el("li", "stk-reward");
        li.appendChild(el("span", "", w.key === "purchase" ? fill(text("per-unit"), { points: fmt(w.points), unit: w.unit }) : w.title + " · +" + fmt(w.points) + " " + text("points")));
        if (!member) return list.appendChild(li);
        if (w.done) li.appendChild(el("span", "stk-done", text("done")));
        else if (w.key === "birthday") {
          var form = el("form", "stk-inline");
          var input = el("input");
          input.name = "birthday";
          input.placeholder = "MM-DD";
          input.setAttribute("aria-label", text("birthday-label"));
          input.setAttribute("pattern", "\\d{2}-\\d{2}");
          input.size = 6;
          var save = el("button", "stk-button", text("save"));
          save.type = "submit";
          form.appendChild(input);
          form.appendChild(save);
          form.addEventListener("submit", function (e) {
            e.preventDefault();
            send("/birthday", { birthday: input.value }).then(function (r) {
              if (r.ok) form.replaceWith(el("span", "stk-done", text("saved")));
              else input.setAttribute("aria-invalid", "true");
            });
          });
          li.appendChild(form);
        } else if (w.key === "newsletter") {
          var sub = button("stk-button", text("subscribe"), function () {
            sub.disabled = true;
            send("/newsletter", {}).then(function (r) {
              if (r.ok) sub.replaceWith(el("span", "stk-done", text("subscribed")));
              else sub.disabled = false;
            });
          });
          li.appendChild(sub);
        } else if (w.key === "social")
          (w.networks || []).forEach(function (n) {
            if (!n.done)
              li.appendChild(
                button("stk-link", fill(text("follow"), { network: n.network }), function () {
                  window.open(n.url, "_blank", "noopener");
                  send("/actions/social", { network: n.network }).then(refresh);
                }),
              );
          });
        list.appendChild(li);
      });
      show("[data-stk-earn]", ways.length > 0);
    }
    var REASONS = { purchase: "purchase", "purchase (guest order)": "purchase", refund: "refund", cancellation: "cancellation", reward: "reward", "reward not issued": "returned", "reward expired unused": "returned", "reward cancelled": "returned", "pending released": "released", referral: "referral", expiry: "expired" };
    function renderHistory(entries) {
      var list = $("[data-stk-history-list]");
      if (!list) return;
      list.textContent = "";
      entries.forEach(function (e) {
        if (e.kind === "release" && e.bucket === "pending") return;
        var key = REASONS[e.reason] || (e.kind === "adjust" ? "adjustment" : e.kind === "expire" ? "expired" : "bonus");
        var li = el("li", "stk-reward");
        var when = e.at ? new Date(e.at).toLocaleDateString(lang) : "";
        li.appendChild(el("span", "", text("h-" + key) + (when ? " · " + when : "")));
        li.appendChild(el("strong", "", (e.points > 0 ? "+" : "") + fmt(e.points)));
        list.appendChild(li);
      });
      show("[data-stk-history]", entries.length > 0);
    }
    function renderReferral(r) {
      if (!r) return;
      var message = encodeURIComponent(r.shareMessage);
      var links = {
        whatsapp: "https://wa.me/?text=" + message,
        email: "mailto:?subject=" + encodeURIComponent(text("refer-subject")) + "&body=" + message,
        x: "https://x.com/intent/post?text=" + message,
        facebook: "https://www.facebook.com/sharer/sharer.php?u=" + encodeURIComponent(r.url),
      };
      root.querySelectorAll("[data-stk-share]").forEach(function (a) {
        a.setAttribute("href", links[a.getAttribute("data-stk-share")]);
      });
      $("[data-stk-refer-url]").value = r.url;
      $("[data-stk-refer-offer]").textContent = r.offer || "";
      var s = r.stats || {};
      $("[data-stk-refer-stats]").textContent = fill(text("refer-stats"), { clicks: fmt(s.clicks || 0), pending: fmt(s.pending || 0), rewarded: fmt(s.rewarded || 0) });
      show("[data-stk-refer]", true);
    }
    function when(iso) {
      return iso ? new Date(iso.length === 10 ? iso + "T12:00:00Z" : iso).toLocaleDateString(lang) : "";
    }
    function renderTier(tier, notices) {
      var line = $("[data-stk-tier]");
      if (line && tier && tier.name) {
        line.textContent = fill(text("tier"), { tier: tier.name }) + (tier.perks && tier.perks.length ? " · " + tier.perks.join(" · ") : "");
        line.hidden = false;
      }
      var list = $("[data-stk-notices]");
      if (!list) return;
      list.textContent = "";
      var code = (root.getAttribute("data-locale") || "en").slice(0, 2) === "de" ? "de" : "en";
      (notices || []).slice(0, 3).forEach(function (n) {
        var names = n.kind === "tier_grace" ? n.name : n.toName;
        var t = text("n-" + n.kind);
        if (t) list.appendChild(el("li", "stk-muted", fill(t, { points: fmt(n.points || 0), on: when(n.on || n.until), name: (names && names[code]) || "" })));
      });
      list.hidden = !list.firstChild;
    }
    function render(data) {
      var member = data.loggedIn;
      renderTier(data.tier, data.notices);
      renderEarn(data.earn || [], member);
      renderHistory(data.history || []);
      renderReferral(data.referral);
      if (member) {
        $("[data-stk-balance]").textContent = fmt(data.balance);
        if (data.pending > 0) {
          $("[data-stk-pending]").textContent = fmt(data.pending);
          show("[data-stk-pending-line]", true);
        }
      }
      var list = $("[data-stk-reward-list]");
      list.textContent = "";
      data.rewards.forEach(function (r) {
        var li = el("li", "stk-reward");
        li.appendChild(el("span", "", r.title + " · " + fmt(r.pointsCost) + " " + text("points")));
        if (r.locked) li.appendChild(el("span", "stk-muted", r.lockedText || ""));
        else if (r.affordable && r.type !== "points_for_money") {
          var key = Date.now() + "-" + Math.random().toString(36).slice(2);
          var b = button("stk-button", text("redeem"), function () {
            redeem(r.id, b, key);
          });
          b.setAttribute("data-stk-redeem", String(r.id));
          li.appendChild(b);
        }
        list.appendChild(li);
      });
      show("[data-stk-rewards]", data.rewards.length > 0);
    }
    function redeem(rewardId, b, key, tries) {
      b.disabled = true;
      show("[data-stk-redeem-error]", false);
      send("/rewards", { rewardId: rewardId, idempotencyKey: key })
        .then(function (res) {
          return res.json().then(function (body) {
            if (res.status === 200 && body.code) {
              showCode(body.code);
              refresh();
            } else if (res.status === 202 && (tries || 0) < 10) {
              $("[data-stk-redeem-error]").textContent = text("pending");
              show("[data-stk-redeem-error]", true);
              setTimeout(function () {
                redeem(rewardId, b, key, (tries || 0) + 1);
              }, 2000);
            } else throw new Error(res.status === 403 ? "refused" : "failed");
          });
        })
        .catch(function (e) {
          b.disabled = false;
          // 403: a reward this shopper may not take (another tier's, or the shop stopped their redeeming)
          $("[data-stk-redeem-error]").textContent = text(e && e.message === "refused" ? "refused" : "failed");
          show("[data-stk-redeem-error]", true);
          refresh();
        });
    }
    function refresh() {
      return fetch(proxy + "/rewards" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.json();
        })
        .then(render);
    }
    function load() {
      if (loaded) return;
      loaded = true;
      refresh().catch(function () {
        loaded = false;
        show("[data-stk-error]", true);
      });
    }
    function focusables() {
      return Array.prototype.filter.call(panel.querySelectorAll("button, a[href], input, [tabindex]"), function (e) {
        return !e.disabled && e.offsetParent !== null;
      });
    }
    function toggle(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      if (open) {
        load();
        var f = focusables()[0];
        if (f) f.focus();
      } else launcher.focus();
    }
    launcher.addEventListener("click", function () {
      toggle(panel.hidden);
    });
    if (!first)
      first = function () {
        if (panel.hidden) toggle(true);
      };
    $("[data-stk-close]").addEventListener("click", function () {
      toggle(false);
    });
    var copyCode = $("[data-stk-copy]");
    if (copyCode)
      copyCode.addEventListener("click", function () {
        copy($("[data-stk-code-value]").textContent, copyCode);
      });
    var copyLink = $("[data-stk-refer-copy]");
    copyLink.addEventListener("click", function () {
      copy($("[data-stk-refer-url]").value, copyLink);
    });
    root.addEventListener("keydown", function (e) {
      if (panel.hidden) return;
      if (e.key === "Escape") toggle(false);
      else if (e.key === "Tab") {
        // keep focus inside the open dialog
        var f = focusables();
        var first = f[0];
        var last = f[f.length - 1];
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }
    });
  });
  // the launcher's inline loader opens the panel once this script has arrived
  window.StammkundeRewards = {
    open: function () {
      if (first) first();
    },
  };
  // buttons in the theme's app blocks open the panel (their link goes to the rewards page otherwise)
  document.addEventListener("click", function (e) {
    var opener = e.target.closest && e.target.closest("[data-stk-open]");
    var launcher = document.querySelector("[data-stk-launcher]");
    if (!opener || !launcher) return;
    e.preventDefault();
    if (launcher.getAttribute("aria-expanded") !== "true") launcher.click();
  });
})();
