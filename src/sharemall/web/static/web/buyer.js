/* Every buyer page's script, the storefront's too (web/buyer/assets.html and
   product_assets.html load it): copy a share link, close a panel swapped in by htmx (the share
   sheet), bring a form's error summary into view. Loaded as a file (the CSP allows no inline
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

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
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

  // A form sent back with errors: its summary (web/buyer/error_summary.html) takes the focus,
  // so the page opens on what to fix and a screen reader reads it out.
  function focusErrors() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      summary.scrollIntoView({ block: "start" });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrors);
  } else {
    focusErrors();
  }
})();
