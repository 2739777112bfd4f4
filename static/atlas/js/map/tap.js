/* What a click on an area does. A mouse click opens the area's profile; a tap (or any click on
   a phone-sized screen) shows the area's value in a popup with a link to the profile instead,
   since a touch screen has no hover to show a tooltip before the page changes. */
import { escapeHtml } from "../escape.js";
import { view } from "./state.js";
import { text } from "./text.js";

const NARROW = window.matchMedia("(max-width: 37.5rem)");

function touched(event) {
  const pointer = event.originalEvent && event.originalEvent.pointerType;
  return pointer === "touch" || pointer === "pen" || NARROW.matches;
}

// ``content`` is the area's tooltip markup (already escaped), ``url`` its profile.
export function areaClicked({ event, layer, content, url }) {
  if (!touched(event)) {
    window.location.href = url;
    return;
  }
  layer.closeTooltip();
  const link = `<a href="${escapeHtml(url)}">${escapeHtml(text.openProfile)}</a>`;
  L.popup({ className: "area-popup", maxWidth: 280, autoPanPadding: [12, 12] })
    .setLatLng(event.latlng)
    .setContent(`<div class="area-popup-body">${content}<p class="area-popup-link">${link}</p></div>`)
    .openOn(view.map);
}

// Leaflet names its close button in English only.
export function setupPopups(map) {
  map.on("popupopen", (event) => {
    const close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close) close.setAttribute("aria-label", text.closePopup);
  });
}
