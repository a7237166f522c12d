// The consoles: the menu drawer's state for screen readers, select-all for batch actions, and
// filters that apply as soon as they change. Everything works without it (a checkbox opens the
// drawer, the Apply button submits); loaded as a file because the CSP allows no inline script.
(function () {
  "use strict";

  function syncMenu(check) {
    check.setAttribute("aria-expanded", check.checked ? "true" : "false");
  }

  function batchBoxes(formId) {
    return document.querySelectorAll('input[type=checkbox][name=ids][form="' + formId + '"]');
  }

  function updateBatch(formId) {
    var form = document.getElementById(formId);
    if (!form) return;
    var boxes = batchBoxes(formId);
    var checked = 0;
    boxes.forEach(function (box) {
      if (box.checked) checked += 1;
    });
    var count = form.querySelector("[data-selected-count]");
    if (count) count.textContent = String(checked);
    form.querySelectorAll("[data-batch-button]").forEach(function (button) {
      button.disabled = checked === 0;
    });
    document.querySelectorAll('[data-select-all="' + formId + '"]').forEach(function (all) {
      all.checked = checked > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.getElementById("cs-menu-open");
    if (menu) {
      syncMenu(menu);
      menu.addEventListener("change", function () {
        syncMenu(menu);
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.checked) {
          menu.checked = false;
          syncMenu(menu);
        }
      });
    }

    document.querySelectorAll("form[data-batch]").forEach(function (form) {
      updateBatch(form.id);
    });

    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) select.form.requestSubmit();
      });
    });
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "checkbox") return;
    var all = target.getAttribute("data-select-all");
    if (all) {
      batchBoxes(all).forEach(function (box) {
        box.checked = target.checked;
      });
      updateBatch(all);
    } else if (target.name === "ids" && target.getAttribute("form")) {
      updateBatch(target.getAttribute("form"));
    }
  });
})();
