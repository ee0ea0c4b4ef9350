// "Back to your form" on the error page: the browser's own Back keeps what was typed in the
// form; the link's address (the form's page) serves when there is no history to go back to.
document.querySelectorAll("[data-back]").forEach(function (link) {
  link.addEventListener("click", function (event) {
    if (window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
});
