/* The portal's few behaviours, without inline script (Content-Security-Policy: script-src 'self').
 *
 * - form[data-submit-once]: a double click sends once (the server also ignores a second submit);
 * - [data-action=print]: prints the page;
 * - input[data-check-all=NAME]: ticks or unticks every checkbox named NAME.
 */
(function () {
  "use strict";
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
