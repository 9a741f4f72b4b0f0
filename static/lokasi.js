/* The objection form's "Gunakan lokasi saya": one tap fills the coordinates
   from the phone (Geolocation API), where the browser has it and the person
   allows it. Without JavaScript, or when refused, the button stays hidden or
   says so, and the typed coordinates or the description serve instead.
   The messages come translated from the page (data-* on the button). */
(function () {
  "use strict";

  function start() {
    var button = document.getElementById("lokasi-saya");
    var status = document.getElementById("lokasi-status");
    var lat = document.getElementById("latitude");
    var lon = document.getElementById("longitude");
    if (!button || !status || !lat || !lon || !("geolocation" in navigator)) {
      return;
    }
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.wait;
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lon.value = position.coords.longitude.toFixed(6);
        status.textContent = button.dataset.found;
        button.disabled = false;
      }, function (error) {
        status.textContent = error.code === 1 ? button.dataset.denied : button.dataset.failed;
        button.disabled = false;
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
