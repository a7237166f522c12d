// The flash-sale countdown: runs from the server's clock (data-server-now), not the phone's,
// and reloads the page when it reaches zero so the state and the button follow.
(function () {
  "use strict";
  var box = document.getElementById("flash-countdown");
  var clock = document.getElementById("flash-clock");
  if (!box || !clock) return;
  var skew = Date.parse(box.dataset.serverNow) - Date.now();
  var target = Date.parse(box.dataset.countsTo);
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, Math.floor((target - (Date.now() + skew)) / 1000));
    var days = Math.floor(left / 86400);
    var rest = left % 86400;
    var text = two(Math.floor(rest / 3600)) + ":" + two(Math.floor(rest / 60) % 60) + ":" + two(rest % 60);
    clock.textContent = (days ? days + "d " : "") + text;
    if (left === 0) {
      window.clearInterval(timer);
      window.setTimeout(function () { window.location.reload(); }, 800);
    }
  }
  var timer = window.setInterval(tick, 1000);
  tick();
})();
