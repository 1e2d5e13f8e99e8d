// otel-bridge UI: the few things a page cannot do without a script. Served from this server only
// (CSP script-src 'self'), no inline handlers: behaviour hangs off data- attributes.
//
// - data-refresh="30" on <body>: reload every 30 s, keeping the URL (filters, sort, page) and the
//   scroll position;
// - data-copy="text" on a button: copy the text to the clipboard, say so on the button.
"use strict";

(function () {
  var SCROLL_KEY = "otel-bridge:scroll:" + location.pathname + location.search;

  function restoreScroll() {
    var saved = sessionStorage.getItem(SCROLL_KEY);
    if (saved !== null) {
      sessionStorage.removeItem(SCROLL_KEY);
      window.scrollTo(0, parseInt(saved, 10) || 0);
    }
  }

  function autoRefresh() {
    var seconds = parseInt(document.body.dataset.refresh || "", 10);
    if (!seconds) return;
    window.setTimeout(function () {
      sessionStorage.setItem(SCROLL_KEY, String(window.scrollY));
      location.reload();
    }, seconds * 1000);
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var label = button.textContent;
        navigator.clipboard.writeText(button.dataset.copy).then(
          function () { button.textContent = "Copied"; button.classList.add("copied"); },
          function () { button.textContent = "Copy failed"; }
        ).then(function () {
          window.setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1500);
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    restoreScroll();
    autoRefresh();
    copyButtons();
  });
})();
