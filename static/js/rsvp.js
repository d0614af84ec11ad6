/* The answer page of the "je viens" / "je ne viens pas" links: submits its form once, on load.
 *
 * Opening the link records nothing (mail filters open every link); this POST does, so that the
 * person still answers in one click. Without JavaScript, the form's button does the same.
 * Loaded as a file (no inline script), so a Content-Security-Policy without 'unsafe-inline'
 * allows it. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (!form) {
    return;
  }
  function submitOnce() {
    if (form.dataset.submitted) {
      return;
    }
    form.dataset.submitted = "1";
    var status = form.querySelector("[data-autosubmit-status]");
    if (status) {
      status.textContent = status.dataset.message || "";
    }
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    HTMLFormElement.prototype.submit.call(form);
  }
  // Coming back with the browser's "back" button shows the page from its cache: the answer
  // is already recorded, do not send it again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = false;
      }
      return;
    }
    submitOnce();
  });
})();
