// Limits seen while typing, never a silent cut (issue 12 §11).
// A browser cuts typed or pasted text at `maxlength` without a word. Instead, each limited field
// shows "n / limit" as one types, turns red past the limit, and the server answers with an error
// next to the field, keeping what was typed.
(function () {
  "use strict";
  var script = document.currentScript;
  var tooLong = (script && script.dataset.tooLong) || "too long";
  function counterFor(field) {
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!limit || field.type === "hidden" || field.type === "date") return;
    field.removeAttribute("maxlength");
    field.dataset.maxlength = String(limit);
    var counter = document.createElement("div");
    counter.className = "form-text char-count";
    counter.setAttribute("aria-live", "polite");
    counter.dataset.testid = "char-count";
    counter.id = (field.id || field.name) + "_count";
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    field.insertAdjacentElement("afterend", counter);
    function update() {
      var n = Array.from(field.value).length;
      var over = n > limit;
      counter.textContent = n + " / " + limit + (over ? " — " + tooLong : "");
      counter.classList.toggle("text-danger", over);
      counter.classList.toggle("fw-semibold", over);
      // Only the mark this script set is taken off: a server error keeps its own.
      if (over) {
        if (!field.classList.contains("is-invalid")) field.dataset.overLimit = "1";
        field.classList.add("is-invalid");
      } else if (field.dataset.overLimit) {
        delete field.dataset.overLimit;
        field.classList.remove("is-invalid");
      }
    }
    field.addEventListener("input", update);
    update();
  }
  function init() {
    document.querySelectorAll("form input[maxlength], form textarea[maxlength]").forEach(counterFor);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
