/* Stammkunde rewards launcher: opens the panel, asks the app once (through the signed app proxy)
   for the shopper's points, rewards and codes, and redeems with one click. */
(function () {
  "use strict";
  document.querySelectorAll("[data-stk-root]").forEach(function (root) {
    var launcher = root.querySelector("[data-stk-launcher]");
    var panel = root.querySelector("[data-stk-panel]");
    var proxy = root.getAttribute("data-proxy");
    var t = root.querySelector("[data-stk-t]");
    var loaded = false;
    function $(sel) {
      return root.querySelector(sel);
    }
    function text(name) {
      return (t && t.getAttribute("data-" + name)) || "";
    }
    function show(sel, on) {
      var el = $(sel);
      if (el) el.hidden = !on;
    }
    function fmt(n) {
      return new Intl.NumberFormat(document.documentElement.lang || undefined).format(n);
    }
    function showCode(code) {
      $("[data-stk-code-value]").textContent = code;
      $("[data-stk-apply]").setAttribute("href", "/discount/" + encodeURIComponent(code) + "?redirect=%2Fcart");
      show("[data-stk-code]", true);
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
    function send(path, body) {
      return fetch(proxy + path, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, credentials: "same-origin", body: JSON.stringify(body) });
    }
    function renderEarn(ways) {
      var list = $("[data-stk-earn-list]");
      if (!list) return;
      list.textContent = "";
      (ways || []).forEach(function (w) {
        var li = el("li", "stk-reward");
        if (w.key === "purchase") li.appendChild(el("span", "", fill(text("per-unit"), { points: fmt(w.points), unit: w.unit })));
        else li.appendChild(el("span", "", w.title + " · +" + fmt(w.points) + " " + text("points")));
        if (w.key === "birthday" && !w.done) {
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
        } else if (w.key === "social") {
          (w.networks || []).forEach(function (n) {
            if (n.done) return;
            var b = el("button", "stk-link", fill(text("follow"), { network: n.network }));
            b.type = "button";
            b.addEventListener("click", function () {
              window.open(n.url, "_blank", "noopener");
              send("/actions/social", { network: n.network }).then(refresh);
            });
            li.appendChild(b);
          });
        } else if (w.done) li.appendChild(el("span", "stk-done", text("done")));
        list.appendChild(li);
      });
      show("[data-stk-earn]", (ways || []).length > 0);
    }
    var REASONS = { purchase: "purchase", "purchase (guest order)": "purchase", refund: "refund", cancellation: "cancellation", reward: "reward", "reward not issued": "returned", "reward expired unused": "returned", "reward cancelled": "returned", "pending released": "released" };
    function renderHistory(entries) {
      var list = $("[data-stk-history-list]");
      if (!list) return;
      list.textContent = "";
      (entries || []).forEach(function (e) {
        if (e.kind === "release" && e.bucket === "pending") return;
        var key = REASONS[e.reason] || (e.kind === "adjust" ? "adjustment" : "bonus");
        var li = el("li", "stk-reward");
        var when = e.at ? new Date(e.at).toLocaleDateString(document.documentElement.lang || undefined) : "";
        li.appendChild(el("span", "", text("h-" + key) + (when ? " · " + when : "")));
        li.appendChild(el("strong", "", (e.points > 0 ? "+" : "") + fmt(e.points)));
        list.appendChild(li);
      });
      show("[data-stk-history]", (entries || []).length > 0);
    }
    function render(data) {
      renderEarn(data.earn);
      renderHistory(data.history);
      $("[data-stk-balance]").textContent = fmt(data.balance);
      if (data.pending > 0) {
        $("[data-stk-pending]").textContent = fmt(data.pending);
        show("[data-stk-pending-line]", true);
      }
      var list = $("[data-stk-reward-list]");
      list.textContent = "";
      data.rewards.forEach(function (r) {
        var li = document.createElement("li");
        li.className = "stk-reward";
        var label = document.createElement("span");
        label.textContent = r.title + " · " + fmt(r.pointsCost) + " " + text("points");
        li.appendChild(label);
        if (r.affordable && r.type !== "points_for_money") {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "stk-button";
          b.textContent = text("redeem");
          b.setAttribute("data-stk-redeem", String(r.id));
          b.addEventListener("click", function () {
            redeem(r.id, b, Date.now() + "-" + Math.random().toString(36).slice(2));
          });
          li.appendChild(b);
        }
        list.appendChild(li);
      });
      show("[data-stk-rewards]", true);
    }
    function post(rewardId, key) {
      return fetch(proxy + "/rewards", { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, credentials: "same-origin", body: JSON.stringify({ rewardId: rewardId, idempotencyKey: key }) });
    }
    function redeem(rewardId, button, key, tries) {
      button.disabled = true;
      show("[data-stk-redeem-error]", false);
      post(rewardId, key)
        .then(function (res) {
          return res.json().then(function (body) {
            if (res.status === 200 && body.code) {
              showCode(body.code);
              refresh();
            } else if (res.status === 202 && (tries || 0) < 10) {
              $("[data-stk-redeem-error]").textContent = text("pending");
              show("[data-stk-redeem-error]", true);
              setTimeout(function () {
                redeem(rewardId, button, key, (tries || 0) + 1);
              }, 2000);
            } else throw new Error(body.error || String(res.status));
          });
        })
        .catch(function () {
          button.disabled = false;
          $("[data-stk-redeem-error]").textContent = text("failed");
          show("[data-stk-redeem-error]", true);
          refresh();
        });
    }
    function refresh() {
      return fetch(proxy + "/rewards", { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.json();
        })
        .then(render);
    }
    function load() {
      if (loaded || !$("[data-stk-balance]")) return;
      loaded = true;
      refresh().catch(function () {
        loaded = false;
        show("[data-stk-error]", true);
      });
    }
    function toggle(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      if (open) {
        load();
        var focusable = panel.querySelector("button, a[href]");
        if (focusable) focusable.focus();
      } else launcher.focus();
    }
    launcher.addEventListener("click", function () {
      toggle(panel.hidden);
    });
    $("[data-stk-close]").addEventListener("click", function () {
      toggle(false);
    });
    var copy = $("[data-stk-copy]");
    if (copy)
      copy.addEventListener("click", function () {
        var code = $("[data-stk-code-value]").textContent;
        if (navigator.clipboard) navigator.clipboard.writeText(code).then(function () {
          copy.textContent = text("copied");
        });
      });
    root.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !panel.hidden) toggle(false);
    });
  });
})();
