// Merchant console: fill a store's coordinates from the device's location, when it has one.
// Loaded as a file (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  function locate(button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-locate-status]");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
        if (status) status.textContent = "";
      },
      function () {
        if (status) status.textContent = button.getAttribute("data-failed");
      },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!("geolocation" in navigator)) return;
    document.querySelectorAll("[data-locate]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        locate(button);
      });
    });
  });
})();
