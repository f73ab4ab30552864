/* The venue form's map: an extra to the latitude and longitude boxes, which stay the main way
   to say where a venue is (the form works the same without JavaScript or without the map).
   Clicking the map or dragging the pin fills the boxes; typing in the boxes moves the pin.
   After the pin moves, the time zone is suggested from the server if none was chosen. */
(function () {
  "use strict";

  var element = document.querySelector("[data-venue-map]");
  if (!element || typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var latitudeInput = document.getElementById(element.dataset.latitudeInput);
  var longitudeInput = document.getElementById(element.dataset.longitudeInput);
  var timezoneSelect = document.getElementById(element.dataset.timezoneInput);
  var status = document.getElementById(element.dataset.status);
  var hint = document.getElementById("venue-map-hint");
  if (!latitudeInput || !longitudeInput) {
    return;
  }

  // The zone we chose for the person: we may change it again; a zone they chose, we leave.
  var suggestedZone = null;
  var lastRequest = 0;

  function parse(text, limit) {
    var value = (text || "").trim().replace(",", ".").replace("\u2212", "-");
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value)) {
      return null;
    }
    var number = parseFloat(value);
    return Math.abs(number) <= limit ? number : null;
  }

  function typedPosition() {
    var latitude = parse(latitudeInput.value, 90);
    var longitude = parse(longitudeInput.value, 180);
    return latitude === null || longitude === null ? null : L.latLng(latitude, longitude);
  }

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  element.hidden = false;
  if (hint) {
    hint.hidden = false;
  }

  var start = typedPosition();
  var map = L.map(element, {
    center: start || [54.5, -2.5], // Great Britain, when nothing is typed yet
    zoom: start ? 16 : 5,
    scrollWheelZoom: false, // scrolling the page must not zoom the map by accident
  });
  L.tileLayer(element.dataset.tileUrl, {
    maxZoom: 19,
    attribution: element.dataset.attribution || "",
  }).addTo(map);

  // The pin is not a keyboard stop: it can't be moved with keys, the boxes above do that.
  var marker = L.marker(start || map.getCenter(), {
    draggable: true,
    keyboard: false,
    title: "Where the venue is",
    alt: "Pin showing where the venue is",
  });
  if (start) {
    marker.addTo(map);
  }

  function suggestTimezone(position, said) {
    var url = element.dataset.timezoneUrl;
    if (!timezoneSelect || !url || !window.fetch) {
      return;
    }
    var chosen = timezoneSelect.value;
    if (chosen !== "" && chosen !== suggestedZone) {
      return; // the person chose a zone themselves
    }
    var request = ++lastRequest;
    var query = "?latitude=" + encodeURIComponent(position.lat.toFixed(5)) +
      "&longitude=" + encodeURIComponent(position.lng.toFixed(5));
    fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (request !== lastRequest || !data || !data.timezone) {
          return;
        }
        var option = timezoneSelect.querySelector('option[value="' + data.timezone + '"]');
        if (option) {
          timezoneSelect.value = data.timezone;
          suggestedZone = data.timezone;
          say((said || "") + " Time zone set to " + data.timezone.replace(/_/g, " ") + ".");
        }
      })
      .catch(function () { /* the zone is worked out when the form is saved anyway */ });
  }

  function placeFromMap(position) {
    var latitude = position.lat.toFixed(5);
    var longitude = L.Util.wrapNum(position.lng, [-180, 180], true).toFixed(5);
    latitudeInput.value = latitude;
    longitudeInput.value = longitude;
    marker.setLatLng([latitude, longitude]);
    if (!map.hasLayer(marker)) {
      marker.addTo(map);
    }
    var placed = "Pin placed: latitude " + latitude + ", longitude " + longitude + ".";
    say(placed);
    suggestTimezone(marker.getLatLng(), placed);
  }

  map.on("click", function (event) {
    placeFromMap(event.latlng);
  });
  marker.on("dragend", function () {
    placeFromMap(marker.getLatLng());
  });

  function placeFromTyping() {
    var position = typedPosition();
    if (!position) {
      return;
    }
    marker.setLatLng(position);
    if (!map.hasLayer(marker)) {
      marker.addTo(map);
    }
    map.setView(position, Math.max(map.getZoom(), 14));
  }

  latitudeInput.addEventListener("input", placeFromTyping);
  longitudeInput.addEventListener("input", placeFromTyping);
  // Once typing is finished (the box is left), suggest the zone for the typed place.
  function typingFinished() {
    var position = typedPosition();
    if (position) {
      suggestTimezone(position);
    }
  }
  latitudeInput.addEventListener("change", typingFinished);
  longitudeInput.addEventListener("change", typingFinished);
})();
