/* Stammkunde rewards launcher: opens the panel, asks the app once for the shopper's points. */
(function () {
  "use strict";
  document.querySelectorAll("[data-stk-root]").forEach(function (root) {
    var launcher = root.querySelector("[data-stk-launcher]");
    var panel = root.querySelector("[data-stk-panel]");
    var loaded = false;
    function set(sel, text) {
      var el = root.querySelector(sel);
      if (el) el.textContent = text;
    }
    function show(sel, on) {
      var el = root.querySelector(sel);
      if (el) el.hidden = !on;
    }
    function load() {
      if (loaded || !root.querySelector("[data-stk-balance]")) return;
      loaded = true;
      fetch(root.getAttribute("data-proxy") + "/member", { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.json();
        })
        .then(function (data) {
          var m = (data && data.member) || { pointsAvailable: 0, pointsPending: 0 };
          var fmt = new Intl.NumberFormat(document.documentElement.lang || undefined);
          set("[data-stk-balance]", fmt.format(m.pointsAvailable));
          if (m.pointsPending > 0) {
            set("[data-stk-pending]", fmt.format(m.pointsPending));
            show("[data-stk-pending-line]", true);
          }
        })
        .catch(function () {
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
    root.querySelector("[data-stk-close]").addEventListener("click", function () {
      toggle(false);
    });
    root.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !panel.hidden) toggle(false);
    });
  });
})();
