/* Storefront pages: the gallery's 1/N counter, the option sheet (open, pick an option, close
   once added to the cart) and closing sheets, the share sheet too, with Escape.
   The quantity's stepper, copying the share link and its close button are buyer.js's, loaded
   with this file. Loaded as a
   file (the CSP allows no inline script). Every form works without it: the bar's buttons then
   submit the first option in stock, and the "Chosen" row opens the sheet as #sku-sheet. */
(function () {
  "use strict";

  var lastOpener = null;

  function openSheet(sheet, mode, opener) {
    sheet.setAttribute("data-mode", mode || "both");
    sheet.classList.add("is-open");
    document.body.classList.add("pd-sheet-open");
    lastOpener = opener || null;
    var checked = sheet.querySelector("input[type=radio]:checked");
    var focus = checked || sheet.querySelector("button, [href], input");
    if (focus) {
      focus.focus({ preventScroll: true });
    }
  }

  function closeSheets() {
    var open = document.querySelectorAll(".pd-sheet.is-open");
    for (var i = 0; i < open.length; i += 1) {
      open[i].classList.remove("is-open");
    }
    document.body.classList.remove("pd-sheet-open");
    if (location.hash === "#sku-sheet" && history.replaceState) {
      history.replaceState(null, "", location.pathname + location.search);
    }
    var panel = document.getElementById("share-panel");
    if (panel && panel.firstElementChild) {
      panel.replaceChildren();
    }
    if (lastOpener) {
      lastOpener.focus({ preventScroll: true });
      lastOpener = null;
    }
  }

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node) {
      node.textContent = text;
    }
  }

  function showChoice(radio) {
    setText("sku-sheet-price", radio.getAttribute("data-price"));
    setText("sku-sheet-stock", radio.getAttribute("data-stock-text"));
    setText("sku-sheet-chosen", radio.getAttribute("data-name"));
    setText("pd-chosen", radio.getAttribute("data-name"));
    var friend = radio.getAttribute("data-friend");
    var friendRow = document.getElementById("sku-sheet-friend");
    if (friendRow) {
      friendRow.hidden = !friend;
      setText("sku-sheet-friend-price", friend || "");
    }
    var input = document.getElementById("buy-quantity");
    if (input) {
      // The stepper (buyer.js) keeps the quantity within the option's stock.
      input.setAttribute("max", radio.getAttribute("data-stock"));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var opener = target.closest("[data-sheet-open]");
    if (opener) {
      var sheet = document.getElementById(opener.getAttribute("data-sheet-open"));
      if (sheet) {
        event.preventDefault();
        openSheet(sheet, opener.getAttribute("data-intent"), opener);
      }
      return;
    }
    if (target.closest("[data-sheet-close]")) {
      event.preventDefault();
      closeSheets();
      return;
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.name === "sku" && target.type === "radio") {
      showChoice(target);
    }
  });

  // Added to the cart through htmx (site.js sets the badge and shows the note): the shopper
  // stays on the product, with the sheet out of the way.
  document.addEventListener("cart-changed", closeSheets);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeSheets();
    }
  });

  function watchGallery() {
    var slides = document.getElementById("pd-slides");
    var now = document.getElementById("pd-counter-now");
    if (!slides || !now) {
      return;
    }
    var pending = false;
    slides.addEventListener(
      "scroll",
      function () {
        if (pending) {
          return;
        }
        pending = true;
        window.requestAnimationFrame(function () {
          pending = false;
          var width = slides.clientWidth || 1;
          now.textContent = String(Math.round(slides.scrollLeft / width) + 1);
        });
      },
      { passive: true }
    );
  }

  function start() {
    watchGallery();
    // Opened without JavaScript's help (a link to #sku-sheet): take it over, so Escape and
    // the close button behave the same.
    var sheet = document.getElementById("sku-sheet");
    if (sheet && location.hash === "#sku-sheet") {
      openSheet(sheet, "both", null);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
