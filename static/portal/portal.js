/* The portal's few behaviours, without inline script (Content-Security-Policy: script-src 'self').
 *
 * - form[data-submit-once]: a double click sends once (the server also ignores a second submit);
 * - [data-action=print]: prints the page;
 * - input[data-check-all=NAME]: ticks or unticks every checkbox named NAME;
 * - .table-responsive: a scroll box a keyboard can reach (tabindex=0) and a screen reader names
 *   (role=region, aria-label from the table's caption or the nearest heading before it).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var fallback = (script && script.getAttribute("data-table-label")) || "Table";
  var used = {};
  var headings = Array.prototype.slice.call(document.querySelectorAll("main h1, main h2, main h3, main h4"));
  document.querySelectorAll(".table-responsive").forEach(function (box) {
    if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    if (!box.hasAttribute("role")) box.setAttribute("role", "region");
    if (box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby")) return;
    var table = box.querySelector("table");
    var caption = table && table.querySelector("caption");
    var name = caption ? caption.textContent : (table && table.getAttribute("aria-label")) || "";
    if (!name) {
      headings.forEach(function (h) {
        if (h.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) name = h.textContent;
      });
    }
    name = name.replace(/\s+/g, " ").trim();
    name = name ? name + " — " + fallback : fallback;
    used[name] = (used[name] || 0) + 1;  // two tables under one heading: "…", "… (2)"
    box.setAttribute("aria-label", used[name] > 1 ? name + " (" + used[name] + ")" : name);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-submit-once]")) return;
    form.querySelectorAll("[data-once]").forEach(function (button) {
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-action=print]") : null;
    if (target) { window.print(); }
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-check-all]")) return;
    var name = box.getAttribute("data-check-all");
    document.querySelectorAll("input[type=checkbox]").forEach(function (c) {
      if (c.name === name) { c.checked = box.checked; }
    });
  });
})();
