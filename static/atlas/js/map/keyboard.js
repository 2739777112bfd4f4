/* The map's areas by keyboard. The map is one canvas with no element per area, so each area
   gets a link in a list over the map (hidden from sight, read by screen readers), in the order
   of the names. Focus on a link marks its area on the map and opens its tooltip; the arrow keys
   go to a neighbour that shares a border in their direction (else to the nearest area that
   way), Home and End to the first and last name, Enter follows the link to the profile, Escape
   closes the tooltip. */
import { leaveMap, showOnMap } from "./drawing.js";
import { config, profileUrl, view } from "./state.js";
import { text } from "./text.js";

// Up to this many areas each is a stop of the Tab key. A level of more areas, or one whose
// table is paged, is one stop (a roving tabindex): the keyboard would pass hundreds of areas
// to reach the table.
const TAB_STOPS_MAX = 30;
const DIRECTIONS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

// The listed areas' parts on the map, by code, and which of them share a border (worked out
// from the boundaries when an arrow is first pressed).
let parts = new Map();
let borders = null;

function listed() {
  return document.getElementById("map-areas");
}

// The areas of the view: in a Bezirk view not the dimmed districts around the Bezirk.
function areasOf(layer) {
  return layer
    .getLayers()
    .filter((part) => !config.within || view.painted.byCode[part.feature.properties.code]);
}

// The list follows what the map draws: its areas, and links to their profiles in the year shown.
export function listAreas(level) {
  const list = listed();
  const focused = list.contains(document.activeElement) ? document.activeElement.dataset.code : null;
  const areas = areasOf(view.layer).sort((a, b) =>
    a.feature.properties.name.localeCompare(b.feature.properties.name, text.locale, { numeric: true }),
  );
  parts = new Map(areas.map((part) => [part.feature.properties.code, part]));
  borders = null;
  const roving = areas.length > Math.min(TAB_STOPS_MAX, config.tablePage || Infinity);
  const items = areas.map((part, index) => {
    const link = document.createElement("a");
    link.href = profileUrl(part.feature.properties.code, level);
    link.dataset.code = part.feature.properties.code;
    link.textContent = part.feature.properties.name;
    link.tabIndex = roving && index > 0 ? -1 : 0;
    const item = document.createElement("li");
    item.append(link);
    return item;
  });
  list.dataset.roving = String(roving);
  list.replaceChildren(...items);
  if (focused && parts.has(focused)) linkOf(focused).focus({ preventScroll: true });
}

function linkOf(code) {
  return listed().querySelector(`a[data-code="${CSS.escape(code)}"]`);
}

function centreOf(code) {
  return view.map.latLngToLayerPoint(parts.get(code).getBounds().getCenter());
}

// Areas share a border where their outlines share an edge. The boundaries are simplified as a
// coverage, so neighbours keep the same vertices along it: two areas with two vertices in
// common (one is a corner where they only touch) are neighbours. One pass over the vertices.
function bordersOf(areas) {
  const byVertex = new Map();
  const rings = (geometry) =>
    geometry.type === "Polygon" ? geometry.coordinates : geometry.coordinates.flat();
  for (const [code, part] of areas) {
    const seen = new Set();
    for (const ring of rings(part.feature.geometry)) {
      for (const [lng, lat] of ring) {
        const key = `${lng.toFixed(6)},${lat.toFixed(6)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const codes = byVertex.get(key);
        if (codes) codes.push(code);
        else byVertex.set(key, [code]);
      }
    }
  }
  const shared = new Map(); // "a|b" → vertices in common
  for (const codes of byVertex.values()) {
    for (let i = 0; i < codes.length; i += 1) {
      for (let j = i + 1; j < codes.length; j += 1) {
        const pair = codes[i] < codes[j] ? `${codes[i]}|${codes[j]}` : `${codes[j]}|${codes[i]}`;
        shared.set(pair, (shared.get(pair) || 0) + 1);
      }
    }
  }
  const neighbours = new Map([...areas.keys()].map((code) => [code, new Set()]));
  for (const [pair, count] of shared) {
    if (count < 2) continue;
    const [a, b] = pair.split("|");
    neighbours.get(a).add(b);
    neighbours.get(b).add(a);
  }
  return neighbours;
}

function bordering(code) {
  if (!borders) borders = bordersOf(parts);
  return borders.get(code) || new Set();
}

// Of ``candidates``, the area whose centre lies ahead in ``direction`` (within about 60° of
// it) with the best score: for neighbours the one most nearly straight ahead, for the others
// the nearest (one straight ahead wins over a nearer one far to the side).
function ahead(code, [dx, dy], candidates, score) {
  const origin = centreOf(code);
  let best = null;
  let bestScore = Infinity;
  for (const other of candidates) {
    if (other === code) continue;
    const point = centreOf(other);
    const [x, y] = [point.x - origin.x, point.y - origin.y];
    const along = x * dx + y * dy;
    const aside = Math.abs(x * dy - y * dx);
    if (along <= 0 || aside > 2 * along) continue;
    const value = score(along, aside);
    if (value < bestScore) [best, bestScore] = [other, value];
  }
  return best;
}

// A neighbour sharing a border in that direction, else the nearest area that way.
function neighbour(code, direction) {
  return (
    ahead(code, direction, bordering(code), (along, aside) => aside / along) ||
    ahead(code, direction, parts.keys(), (along, aside) => along + 2 * aside)
  );
}

// The area in view, its tooltip open and named as the link's description.
function showArea(link) {
  const code = link.dataset.code;
  const part = parts.get(code);
  if (!part) return;
  showOnMap(code);
  view.map.panInside(part.getBounds().getCenter(), { padding: [48, 48] });
  const tooltip = part.getTooltip() && part.getTooltip().getElement();
  if (tooltip) link.setAttribute("aria-describedby", tooltip.id);
  if (listed().dataset.roving === "true") {
    for (const other of listed().querySelectorAll("a[tabindex='0']")) other.tabIndex = -1;
    link.tabIndex = 0;
  }
}

function target(event) {
  const link = event.target.closest("a[data-code]");
  if (!link) return null;
  if (event.key in DIRECTIONS) return neighbour(link.dataset.code, DIRECTIONS[event.key]);
  const names = [...parts.keys()];
  return { Home: names[0], End: names[names.length - 1] }[event.key] || null;
}

export function setupAreaKeys() {
  const list = listed();
  list.addEventListener("focusin", (event) => {
    const link = event.target.closest("a[data-code]");
    if (link) showArea(link);
  });
  list.addEventListener("focusout", (event) => {
    if (!list.contains(event.relatedTarget)) leaveMap();
  });
  list.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      // The tooltip goes (WCAG 1.4.13); the area keeps its mark as the focus.
      for (const part of parts.values()) part.closeTooltip();
      return;
    }
    if (!(event.key in DIRECTIONS) && event.key !== "Home" && event.key !== "End") return;
    // An arrow with no area ahead keeps the focus, and the page does not scroll either.
    event.preventDefault();
    const code = target(event);
    if (!code) return;
    linkOf(code).focus({ preventScroll: true });
  });
}
