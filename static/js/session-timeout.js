/* The end of an idle session, announced before it comes (RGAA 13.1).
 *
 * The tag that loads this file says how long the session has left (data-seconds-left), when to
 * warn (data-warn-seconds before the end) and where to post to stay signed in (data-url, with
 * data-csrf). A few minutes before the end, a notice in a live region says at what time the
 * session ends and what would be lost; its button « Prolonger la session » posts and the clock
 * starts again. Past the end, the notice says so and links to the sign-in page. */
(function () {
  "use strict";
  var tag = document.currentScript || document.querySelector("script[data-session-timeout]");
  if (!tag) {
    return;
  }
  var data = tag.dataset;
  var warnMs = parseInt(data.warnSeconds, 10) * 1000;
  var marginMs = parseInt(data.marginSeconds, 10) * 1000;
  var timers = [];
  var before = null;

  var notice = document.createElement("div");
  notice.className = "session-timeout";
  notice.setAttribute("role", "alertdialog");
  notice.setAttribute("aria-labelledby", "session-timeout-text");
  notice.hidden = true;
  var text = document.createElement("p");
  text.id = "session-timeout-text";
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = data.stayLabel;
  var link = document.createElement("a");
  link.href = data.loginUrl;
  link.textContent = data.signInLabel;
  link.hidden = true;
  notice.append(text, button, link);
  // Inside the main landmark (all content in landmarks), first in it: fixed on screen anyway.
  (document.querySelector("main") || document.body).prepend(notice);

  function clock(date) {
    return date.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }).replace(":", " h ");
  }

  function schedule(secondsLeft) {
    timers.forEach(clearTimeout);
    var end = Date.now() + secondsLeft * 1000 - marginMs;
    timers = [
      setTimeout(function () { warn(end); }, Math.max(0, end - warnMs - Date.now())),
      setTimeout(ended, Math.max(0, end - Date.now())),
    ];
  }

  function warn(end) {
    before = document.activeElement;
    text.textContent = data.warnText.replace("%(time)s", clock(new Date(end)));
    button.hidden = false;
    link.hidden = true;
    notice.hidden = false;
    button.focus();
  }

  function ended() {
    text.textContent = data.endedText;
    button.hidden = true;
    link.hidden = false;
    notice.hidden = false;
    link.focus();
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    fetch(data.url, {
      method: "POST",
      headers: { "X-CSRFToken": data.csrf, Accept: "application/json" },
      credentials: "same-origin",
      redirect: "manual",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("session over");
        }
        return response.json();
      })
      .then(function (body) {
        notice.hidden = true;
        schedule(body.seconds_left);
        if (before && before !== document.body && document.contains(before)) {
          before.focus();
        }
      })
      .catch(ended)
      .finally(function () {
        button.disabled = false;
      });
  });

  schedule(parseInt(data.secondsLeft, 10));
})();
