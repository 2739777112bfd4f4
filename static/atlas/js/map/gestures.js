/* On a phone the map fills most of the first screen, so a finger on it must still scroll the
   page: there one finger scrolls, two fingers move (and pinch to zoom) the map, which Leaflet's
   pinch does by following the fingers' midpoint. A short hint says so when one finger tries to
   move the map. Wider screens and mice keep dragging with one finger or the mouse. */
import { text } from "./text.js";

// A touch screen no wider than the phone layout (≤ 600 px).
const PHONE = window.matchMedia("(max-width: 37.5rem) and (pointer: coarse)");
const HINT_MS = 1800;
// A finger that moved this far (px) meant to move the map, not to tap an area.
const MOVED = 12;

export function setupTwoFingerPan(map) {
  const container = map.getContainer();
  const hint = document.createElement("div");
  hint.className = "map-gesture-hint";
  hint.id = "map-gesture-hint";
  // For the eyes only: it answers a touch gesture and says nothing a screen reader needs.
  hint.setAttribute("aria-hidden", "true");
  hint.textContent = text.twoFingers;
  hint.hidden = true;
  container.append(hint);

  const apply = () => {
    // Without Leaflet's one-finger drag the container allows the page to pan (touch-action:
    // pan-x pan-y from Leaflet's own style), and pinching stays with the map.
    if (PHONE.matches) map.dragging.disable();
    else map.dragging.enable();
    container.dataset.pan = PHONE.matches ? "two-fingers" : "one-finger";
  };
  apply();
  PHONE.addEventListener("change", apply);

  let timer = null;
  const show = () => {
    hint.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => {
      hint.hidden = true;
    }, HINT_MS);
  };
  let start = null;
  container.addEventListener(
    "touchstart",
    (event) => {
      if (!PHONE.matches) return;
      if (event.touches.length > 1) {
        // Two fingers are the map's: the page neither scrolls nor zooms with them.
        start = null;
        hint.hidden = true;
        event.preventDefault();
        return;
      }
      start = [event.touches[0].clientX, event.touches[0].clientY];
    },
    { passive: false },
  );
  container.addEventListener(
    "touchmove",
    (event) => {
      if (!start || event.touches.length !== 1) return;
      const touch = event.touches[0];
      if (Math.hypot(touch.clientX - start[0], touch.clientY - start[1]) < MOVED) return;
      start = null;
      show();
    },
    { passive: true },
  );
}
