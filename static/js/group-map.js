/* A small map of the group's venue on its page. The address above it says the same in words;
   without JavaScript or tiles the page loses nothing but the picture. */
(function () {
  "use strict";

  var element = document.querySelector("[data-group-map]");
  if (!element || typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var position = L.latLng(parseFloat(element.dataset.latitude), parseFloat(element.dataset.longitude));
  element.hidden = false;
  var map = L.map(element, {
    center: position,
    zoom: 15,
    scrollWheelZoom: false, // scrolling the page must not zoom the map by accident
    keyboard: false, // a picture, not a control: the address is the way to read it
  });
  L.tileLayer(element.dataset.tileUrl, {
    maxZoom: 19,
    attribution: element.dataset.attribution || "",
  }).addTo(map);
  L.marker(position, { keyboard: false, title: element.dataset.label, alt: element.dataset.label }).addTo(map);
})();
