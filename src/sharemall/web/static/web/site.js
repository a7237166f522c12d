/* The shell's script, on every page: confirmations before irreversible actions, the top bar's
   back arrow, the cart badges and short notes (toasts), and the home carousel. A file, not inline (the CSP allows no inline script);
   listeners sit on the document so content swapped in by htmx is covered too. */
(function () {
  "use strict";

  /* --- data-confirm ---------------------------------------------------------------------------
     <form data-confirm="…"> asks on submit; <button data-confirm="…"> (or a link) asks on click.
     Refused: nothing is sent. Captured at the document, before htmx or the browser act. */

  // The form whose button already asked: its submit must not ask a second time.
  var confirmedForm = null;

  document.addEventListener(
    "click",
    function (event) {
      var target = event.target;
      if (!(target instanceof Element)) {
        return;
      }
      var asker = target.closest("button[data-confirm], input[data-confirm], a[data-confirm]");
      if (!asker || asker.hasAttribute("disabled")) {
        return;
      }
      if (!window.confirm(asker.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopPropagation();
        return;
      }
      confirmedForm = asker.form || null;
      // Only for the submit this click starts (it runs before this timer).
      window.setTimeout(function () { confirmedForm = null; }, 0);
    },
    true
  );

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) {
        return;
      }
      var already = confirmedForm === form;
      confirmedForm = null;
      var question = form.getAttribute("data-confirm");
      if (!question || already) {
        return;
      }
      if (!window.confirm(question)) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );

  /* --- back arrow -----------------------------------------------------------------------------
     Goes back when the previous page was ours; otherwise (opened from a share in WeChat, say)
     its link leads home. */
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var back = target.closest("a[data-back]");
    if (!back || event.defaultPrevented) {
      return;
    }
    var cameFromUs = document.referrer.indexOf(window.location.origin + "/") === 0;
    if (cameFromUs && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  /* --- cart badges and toasts -----------------------------------------------------------------
     A cart change made through htmx (a stepper, the product page's add-to-cart) answers with
     HX-Trigger: {"cart-changed": {"count": 3, "message": "…"}}. Every [data-cart-badge] (the tab
     bar's, the buy bar's) shows the new count, hidden at 0, and the message shows for a moment. */
  function toast(text) {
    var old = document.querySelector(".toast");
    if (old) {
      old.remove();
    }
    var note = document.createElement("div");
    note.className = "toast";
    note.setAttribute("role", "status");
    note.textContent = text;
    document.body.appendChild(note);
    window.setTimeout(function () { note.remove(); }, 1800);
  }

  document.addEventListener("cart-changed", function (event) {
    var detail = event.detail || {};
    var count = parseInt(detail.count, 10) || 0;
    var badges = document.querySelectorAll("[data-cart-badge]");
    for (var i = 0; i < badges.length; i++) {
      badges[i].textContent = count > 99 ? "99+" : String(count);
      badges[i].hidden = count === 0;
    }
    if (detail.message) {
      toast(String(detail.message));
    }
  });

  /* --- carousel -------------------------------------------------------------------------------
     <div class="carousel" data-autoplay="4000"><div class="carousel-track">slides…</div>
     <div class="carousel-dots"><span></span>…</div></div>: CSS scroll-snap does the swiping;
     this moves to the next slide every few seconds and marks the dot of the slide in view.
     It waits while a finger, the mouse or the keyboard is on it, and never moves for people
     who asked for reduced motion. */
  function carousel(root) {
    var track = root.querySelector(".carousel-track");
    if (!track) {
      return;
    }
    var slides = track.children;
    var dots = root.querySelectorAll(".carousel-dots > *");
    if (slides.length < 2) {
      return;
    }
    var current = 0;
    var held = false;

    function mark() {
      var width = track.clientWidth || 1;
      current = Math.round(track.scrollLeft / width);
      for (var i = 0; i < dots.length; i++) {
        dots[i].classList.toggle("is-active", i === current);
      }
    }

    var pending = null;
    track.addEventListener(
      "scroll",
      function () {
        if (pending === null) {
          pending = window.requestAnimationFrame(function () {
            pending = null;
            mark();
          });
        }
      },
      { passive: true }
    );

    ["pointerenter", "touchstart", "focusin"].forEach(function (name) {
      root.addEventListener(name, function () { held = true; }, { passive: true });
    });
    ["pointerleave", "touchend", "focusout"].forEach(function (name) {
      root.addEventListener(name, function () { held = false; }, { passive: true });
    });

    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var every = parseInt(root.getAttribute("data-autoplay"), 10);
    if (still || !(every >= 1000)) {
      return;
    }
    window.setInterval(function () {
      if (held || document.hidden) {
        return;
      }
      var next = (current + 1) % slides.length;
      track.scrollTo({ left: next * track.clientWidth, behavior: "smooth" });
    }, every);
  }

  function start() {
    var found = document.querySelectorAll(".carousel");
    for (var i = 0; i < found.length; i++) {
      carousel(found[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
