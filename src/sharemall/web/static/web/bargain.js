/* The bargain page's countdown: <span data-countdown="seconds"> counts down to 00:00:00 each
   second, then reloads the page once so it shows the run as expired. Loaded as a file (the CSP
   allows no inline script). */
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function start(el) {
    var ends = Date.now() + parseInt(el.getAttribute("data-countdown"), 10) * 1000;
    var timer = window.setInterval(function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      el.textContent = pad(Math.floor(left / 3600)) + ":" + pad(Math.floor((left % 3600) / 60)) + ":" + pad(left % 60);
      if (left === 0) {
        window.clearInterval(timer);
        window.location.reload();
      }
    }, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var found = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < found.length; i++) {
      start(found[i]);
    }
  });
})();
