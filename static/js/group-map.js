/* A small map of the group's venue on its page: a picture, not a control. The address above it
   says the same in words, so the map takes no focus, no clicks and no gestures (a map that moves
   under a shaky finger only gets in the way), and holds no buttons or links: it is role="img"
   with a label, and its data credit is the caption beside it. Without JavaScript or tiles the
   page loses nothing but the picture. */
(function () {
  "use strict";

  var element = document.querySelector("[data-group-map]");
  var figure = document.querySelector("[data-group-map-figure]");
  if (!element || !figure || typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var position = L.latLng(parseFloat(element.dataset.latitude), parseFloat(element.dataset.longitude));
  figure.hidden = false;
  var map = L.map(element, {
    center: position,
    zoom: 15,
    zoomControl: false,
    attributionControl: false, // the caption outside the picture gives the credit
    keyboard: false,
    dragging: false,
    touchZoom: false,
    doubleClickZoom: false,
    scrollWheelZoom: false,
    boxZoom: false,
  });
  L.tileLayer(element.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
  L.marker(position, { keyboard: false, interactive: false, alt: "" }).addTo(map);
})();
