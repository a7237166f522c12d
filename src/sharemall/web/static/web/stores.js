/* 附近门店: asks the browser where the shopper is (only when they press the button, or at once
   if they already allowed it), then loads the stores by distance into #store-list. Refused or
   unavailable: the stores by city, already on the page, stay. */
(function () {
  "use strict";

  function setUp() {
    var box = document.getElementById("locate");
    var button = document.getElementById("locate-button");
    var status = document.getElementById("locate-status");
    var list = document.getElementById("store-list");
    if (!box || !button || !status || !list) {
      return;
    }
    if (!("geolocation" in navigator)) {
      box.classList.add("is-unavailable");
      status.textContent = button.getAttribute("data-denied");
      button.hidden = true;
      return;
    }

    function say(key) {
      status.textContent = button.getAttribute(key);
    }

    function load(position) {
      var url =
        box.getAttribute("data-list-url") +
        "?lat=" + encodeURIComponent(position.coords.latitude.toFixed(5)) +
        "&lng=" + encodeURIComponent(position.coords.longitude.toFixed(5));
      window
        .fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          // Our own server's fragment, same origin, rendered with autoescaping.
          list.innerHTML = html;
          box.classList.add("is-located");
          button.disabled = false;
          say("data-found");
        })
        .catch(function () {
          button.disabled = false;
          say("data-failed");
        });
    }

    function locate() {
      button.disabled = true;
      say("data-asking");
      navigator.geolocation.getCurrentPosition(
        load,
        function () {
          button.disabled = false;
          say("data-denied");
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
      );
    }

    button.addEventListener("click", locate);
    // Already allowed on an earlier visit: no need to make the shopper press the button.
    if (navigator.permissions && navigator.permissions.query) {
      navigator.permissions
        .query({ name: "geolocation" })
        .then(function (result) {
          if (result.state === "granted") {
            locate();
          }
        })
        .catch(function () {});
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
