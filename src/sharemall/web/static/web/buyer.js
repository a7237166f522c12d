/* Every buyer page's script, the storefront's too (web/buyer/assets.html and
   product_assets.html load it): −/+ steppers, copy a share link, close a panel swapped in by
   htmx (the share sheet), bring a form's error summary into view. Loaded as a file (the CSP allows no inline
   script); listeners sit on the document so content swapped in by htmx works too. */
(function () {
  "use strict";

  function copyFrom(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    var done = function () {
      var copied = button.getAttribute("data-copied");
      if (copied) {
        button.textContent = copied;
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select();
      });
    } else {
      // Plain http or an old WeChat browser: select the text so a long press copies it.
      field.focus();
      field.select();
      try {
        if (document.execCommand("copy")) {
          done();
        }
      } catch (e) {
        /* selecting is the best we can do */
      }
    }
  }

  /* A −/+ stepper worked by this script: <div class="stepper"> with buttons data-step="-1" and
     data-step="1" around a number input (the option sheet's quantity, an after-sales request's
     units). The number stays within the input's min and max, and a button at its end is
     disabled. (The cart's steppers are htmx forms the server answers instead.) */
  function bound(input, name, fallback) {
    var value = parseInt(input.getAttribute(name), 10);
    return isNaN(value) ? fallback : value;
  }

  function settle(input) {
    var min = bound(input, "min", 1);
    var max = Math.max(min, bound(input, "max", 999));
    var value = parseInt(input.value, 10);
    value = Math.max(min, Math.min(isNaN(value) ? min : value, max));
    input.value = String(value);
    var stepper = input.closest(".stepper");
    var buttons = stepper ? stepper.querySelectorAll("[data-step]") : [];
    for (var i = 0; i < buttons.length; i++) {
      var down = parseInt(buttons[i].getAttribute("data-step"), 10) < 0;
      buttons[i].disabled = down ? value <= min : value >= max;
    }
  }

  function stepperInput(element) {
    var stepper = element.closest(".stepper");
    return stepper ? stepper.querySelector("input[type=number]") : null;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var step = target.closest("[data-step]");
    var stepped = step ? stepperInput(step) : null;
    if (stepped) {
      var now = parseInt(stepped.value, 10) || 0;
      stepped.value = String(now + parseInt(step.getAttribute("data-step"), 10));
      settle(stepped);
      return;
    }
    var copy = target.closest("[data-copy]");
    if (copy) {
      copyFrom(copy);
      return;
    }
    var dismiss = target.closest("[data-dismiss]");
    if (dismiss) {
      event.preventDefault(); // the backdrop is a link to "#": no jump to the top
      var host = document.getElementById(dismiss.getAttribute("data-dismiss"));
      if (host) {
        host.replaceChildren();
      }
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.closest(".stepper") && stepperInput(target) === target) {
      settle(target);
    }
  });

  // A form sent back with errors: its summary (web/buyer/error_summary.html) takes the focus,
  // so the page opens on what to fix and a screen reader reads it out.
  function focusErrors() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      summary.scrollIntoView({ block: "start" });
    }
  }
  function start() {
    focusErrors();
    var steppers = document.querySelectorAll(".stepper [data-step]");
    for (var i = 0; i < steppers.length; i++) {
      var input = stepperInput(steppers[i]);
      if (input) {
        settle(input);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
