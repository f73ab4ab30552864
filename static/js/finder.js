/* The group finder's extras; the search form and the list of results work without them.
   - Type-ahead: places whose name starts with what is typed fill the town box's <datalist>.
   - "Use my location": the device's position fills the hidden latitude and longitude boxes and
     the search runs; if it is refused or unknown, we say so and point at the town box.
   - The map of results (Leaflet), drawn from the result cards' data- attributes. */
(function () {
  "use strict";

  var form = document.querySelector("[data-finder-search]");
  if (form) {
    var placeInput = form.elements.place;
    var latitudeInput = form.elements.latitude;
    var longitudeInput = form.elements.longitude;
    var datalist = document.getElementById("place-suggestions");
    var status = form.querySelector("[data-location-status]");
    var locationButton = form.querySelector("[data-use-my-location]");
    var waiting = null;
    var lastRequest = 0;

    function say(message) {
      if (status) {
        status.textContent = message;
      }
    }

    function forgetPosition() {
      // Typing a town means searching there, not where the device is.
      latitudeInput.value = "";
      longitudeInput.value = "";
    }

    function showSuggestions(places) {
      while (datalist.firstChild) {
        datalist.removeChild(datalist.firstChild);
      }
      places.forEach(function (place) {
        var option = document.createElement("option");
        option.value = place.label;
        datalist.appendChild(option);
      });
    }

    function fetchSuggestions() {
      var typed = placeInput.value.trim();
      if (typed.length < 2 || !window.fetch) {
        showSuggestions([]);
        return;
      }
      var request = ++lastRequest;
      fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(typed), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (places) {
          if (request === lastRequest) {
            showSuggestions(places);
          }
        })
        .catch(function () { /* no suggestions: typing the whole name still works */ });
    }

    if (placeInput && datalist) {
      placeInput.addEventListener("input", function () {
        forgetPosition();
        window.clearTimeout(waiting);
        waiting = window.setTimeout(fetchSuggestions, 250);
      });
    }

    function pointAtTownBox(message) {
      say(message);
      placeInput.focus();
    }

    if (locationButton && navigator.geolocation) {
      locationButton.hidden = false;
      form.querySelectorAll("[data-location-part]").forEach(function (part) {
        part.hidden = false;
      });
      locationButton.addEventListener("click", function () {
        say("Finding your location…");
        locationButton.disabled = true;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            // About 100 metres: enough to find groups, and no more precise in the address bar.
            latitudeInput.value = position.coords.latitude.toFixed(3);
            longitudeInput.value = position.coords.longitude.toFixed(3);
            placeInput.value = "";
            say("Found you. Searching for groups near you…");
            form.submit();
          },
          function (error) {
            locationButton.disabled = false;
            if (error.code === error.PERMISSION_DENIED) {
              pointAtTownBox("Your device did not share your location. That is fine: " +
                "type the name of your town in the box instead.");
            } else {
              pointAtTownBox("We could not find your location. " +
                "Type the name of your town in the box instead.");
            }
          },
          { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
        );
      });
    }
  }

  var mapElement = document.querySelector("[data-results-map]");
  if (!mapElement || typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var results = document.querySelectorAll("[data-result]");
  mapElement.hidden = false;
  var centre = L.latLng(parseFloat(mapElement.dataset.latitude),
    parseFloat(mapElement.dataset.longitude));
  var map = L.map(mapElement, { center: centre, zoom: 11, scrollWheelZoom: false });
  L.tileLayer(mapElement.dataset.tileUrl, {
    maxZoom: 19,
    attribution: mapElement.dataset.attribution || "",
  }).addTo(map);
  var area = L.circle(centre, {
    radius: parseFloat(mapElement.dataset.radiusMetres) || 0,
    weight: 2,
    fill: false,
    interactive: false,
  }).addTo(map);

  var points = [];
  results.forEach(function (card) {
    var position = L.latLng(parseFloat(card.dataset.latitude), parseFloat(card.dataset.longitude));
    // Markers are not keyboard stops: the list beside the map holds the same links.
    var marker = L.marker(position, { keyboard: false, title: card.dataset.name, alt: card.dataset.name });
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = card.dataset.url;
    link.textContent = card.dataset.name;
    var where = document.createElement("p");
    where.textContent = card.dataset.place;
    popup.appendChild(link);
    popup.appendChild(where);
    marker.bindPopup(popup);
    marker.addTo(map);
    points.push(position);
  });
  var bounds = area.getBounds();
  points.forEach(function (point) { bounds.extend(point); });
  map.fitBounds(points.length ? L.latLngBounds(points).extend(centre).pad(0.2) : bounds);
})();
