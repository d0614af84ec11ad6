/* The answer page of the "je viens" / "je ne viens pas" links.
 *
 * Opening the link records nothing (mail filters open every link), and the page sends nothing
 * by itself either (RGAA 7.4: no change of context the person did not ask for): the answer goes
 * when they press the button. This script only says it is on its way and keeps a second press
 * from sending it twice. Loaded as a file (no inline script), so a Content-Security-Policy
 * without 'unsafe-inline' allows it; without it, the button works the same. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-rsvp]");
  if (!form) {
    return;
  }
  var button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function (event) {
    if (form.dataset.submitted) {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    var status = form.querySelector("[data-rsvp-status]");
    if (status) {
      status.textContent = status.dataset.message || "";
    }
    if (button) {
      button.setAttribute("aria-disabled", "true");
    }
  });
  // Back with the browser's "back" button, the page comes from its cache: let it be used again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      delete form.dataset.submitted;
      if (button) {
        button.removeAttribute("aria-disabled");
      }
    }
  });
})();
