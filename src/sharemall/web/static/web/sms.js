/* "Get code" beside a texted-code field (sign-up, log-in by code, password reset): asks
   POST /api/v1/auth/sms-code for a code of the field's data-sms-purpose, for the phone typed in
   the same form, then counts down until another may be asked for (60 s, or the retry_after the
   API answers with 429 too_soon). The API's message, in the page's language, shows under the
   field. A file, not inline: the CSP allows no inline script. */
(function () {
  "use strict";

  function note(form, text) {
    var place = form.querySelector("[data-sms-note]");
    if (!place) {
      return;
    }
    place.textContent = text || "";
    place.hidden = !text;
  }

  function countDown(button, seconds) {
    var label = button.getAttribute("data-label") || button.textContent;
    var wait = button.getAttribute("data-wait-text") || "{n}";
    button.setAttribute("data-label", label);
    button.disabled = true;
    var left = Math.max(1, Math.ceil(seconds));
    var tick = function () {
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = wait.replace("{n}", String(left));
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var button = target.closest("button[data-sms-send]");
    if (!button || button.disabled || !button.form) {
      return;
    }
    event.preventDefault();
    var form = button.form;
    var phone = form.querySelector("input[name='phone']");
    var code = form.querySelector("input[data-sms-purpose]");
    var csrf = form.querySelector("input[name='csrfmiddlewaretoken']");
    if (!phone || !code) {
      return;
    }
    if (!phone.value.trim()) {
      phone.focus();
      return;
    }
    button.disabled = true;
    note(form, "");
    fetch("/api/v1/auth/sms-code", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrf ? csrf.value : ""
      },
      body: JSON.stringify({
        phone: phone.value.trim(),
        purpose: code.getAttribute("data-sms-purpose")
      })
    })
      .then(function (response) {
        return response.json().then(
          function (body) { return { status: response.status, body: body }; },
          function () { return { status: response.status, body: null }; }
        );
      })
      .then(function (answer) {
        var error = answer.body && answer.body.error;
        if (answer.status === 202) {
          countDown(button, answer.body.resend_after || 60);
          code.focus();
          return;
        }
        var retry = error && error.details && error.details.retry_after;
        if (answer.status === 429 && retry) {
          countDown(button, retry);
        } else {
          button.disabled = false;
        }
        note(form, error ? error.message : "");
      })
      .catch(function () {
        button.disabled = false;
      });
  });
})();
