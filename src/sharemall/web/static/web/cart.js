/* The cart: ticks per line, per shop and for everything, and the bottom bar's sum and count.
   Without this file every available line stays ticked and the server's sum is right; with it
   the sum follows the ticks. Steppers are htmx forms that redraw one line's body, which carries
   the line's amount (data-amount) and quantity (data-quantity); the ticks are outside it. */
(function () {
  "use strict";

  var yuan = new Intl.NumberFormat("zh-CN", { style: "currency", currency: "CNY" });

  function lines(scope) {
    return Array.prototype.slice.call(scope.querySelectorAll("input[data-tick-line]"));
  }

  function bodyOf(tick) {
    var line = tick.closest(".cart-line");
    return line ? line.querySelector(".cart-line-body") : null;
  }

  function refresh() {
    var all = lines(document);
    var fen = 0;
    var count = 0;
    all.forEach(function (tick) {
      var body = bodyOf(tick);
      if (tick.checked && body) {
        fen += parseInt(body.getAttribute("data-amount") || "0", 10);
        count += parseInt(body.getAttribute("data-quantity") || "0", 10);
      }
    });
    document.querySelectorAll("input[data-tick-group]").forEach(function (group) {
      var own = lines(group.closest("[data-tick-scope]"));
      var ticked = own.filter(function (t) { return t.checked; }).length;
      group.checked = own.length > 0 && ticked === own.length;
      group.indeterminate = ticked > 0 && ticked < own.length;
    });
    var ticked = all.filter(function (t) { return t.checked; }).length;
    document.querySelectorAll("input[data-tick-all]").forEach(function (box) {
      box.checked = all.length > 0 && ticked === all.length;
      box.indeterminate = ticked > 0 && ticked < all.length;
    });
    document.querySelectorAll("[data-cart-total]").forEach(function (el) {
      el.textContent = yuan.format(fen / 100);
    });
    document.querySelectorAll("[data-cart-count]").forEach(function (el) {
      el.textContent = String(count);
    });
    document.querySelectorAll("[data-cart-submit]").forEach(function (button) {
      button.disabled = ticked === 0;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "checkbox") {
      return;
    }
    if (target.hasAttribute("data-tick-all")) {
      lines(document).forEach(function (t) { t.checked = target.checked; });
    } else if (target.hasAttribute("data-tick-group")) {
      lines(target.closest("[data-tick-scope]")).forEach(function (t) { t.checked = target.checked; });
    } else if (!target.hasAttribute("data-tick-line")) {
      return;
    }
    refresh();
  });

  document.addEventListener("htmx:afterSwap", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
