/* The error summary (templates/portal/_error_summary.html, the GOV.UK pattern), without inline
 * script (Content-Security-Policy: script-src 'self'):
 *
 * - after a failed submit, focus moves to the summary, so a screen reader reads it first;
 * - a link in it moves focus to its field and scrolls the field's label into view.
 */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-field]") : null;
    if (!link) return;
    var field = document.getElementById(link.getAttribute("data-field"));
    if (!field) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    var legend = field.closest("fieldset") ? field.closest("fieldset").querySelector("legend") : null;
    (legend || label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
