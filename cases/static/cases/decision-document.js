/* The decision document is drawn by the job worker after the decision is issued. While it is,
   ask for it every few seconds and turn the notice into the link once it is there. Without
   JavaScript the notice's reload link does the same. */
(function () {
  "use strict";

  var notice = document.querySelector("[data-decision-document]");
  if (!notice) return;
  var url = notice.getAttribute("data-decision-document");
  var elapsed = notice.querySelector("[data-elapsed]");
  var started = Date.now();
  var GIVE_UP_MS = 10 * 60 * 1000; // then the reload link is left to the reader

  function ready() {
    var link = document.createElement("a");
    link.className = "button";
    link.href = url;
    link.textContent = notice.getAttribute("data-ready-label");
    notice.replaceChildren(link);
    notice.removeAttribute("data-decision-document");
    notice.setAttribute("data-decision-document-ready", "");
  }

  function schedule() {
    var seconds = Math.round((Date.now() - started) / 1000);
    if (elapsed) elapsed.textContent = String(seconds);
    if (Date.now() - started < GIVE_UP_MS) window.setTimeout(poll, 2000);
  }

  function poll() {
    fetch(url, { method: "HEAD", credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.ok) ready();
        else schedule();
      })
      .catch(schedule);
  }

  schedule();
})();
