/* Orientation without a base map: the areas' names, the city's outline and the neighbouring
   municipalities around it, each switchable in the map's layer control.

   A name stands at its area's label point (the centre of the largest circle inside it, from
   the boundaries file). Names that fit their area best are placed first; a name that would overlap
   one already placed, or whose area is too small on screen to carry it, is left out, so the
   names never cover each other at any zoom or screen width. The table names every area. */
import { escapeHtml } from "../escape.js";
import { fetchJson } from "../fetching.js";
import { boundariesFile } from "./data.js";
import { config, view } from "./state.js";
import { text } from "./text.js";

// An area narrower than this on screen (the radius of the circle inside it) gets no name.
const MIN_ROOM_PX = 9;
// Free space kept around each name, so neighbouring names stay apart.
const GAP_PX = 3;
// A name wider than this breaks after a hyphen, slash or space into two lines.
const ONE_LINE_PX = 96;
const LINE_HEIGHT_PX = 14;
const EARTH_PX_M = 40075016.686 / 256; // metres per pixel at zoom 0 on the equator
const PREFERENCE = "atlas.orientation";

let labels = null; // the names of the areas: a layer group, on the map when switched on
let neighbours = null; // the neighbouring municipalities' outlines and names
let neighbourNames = [];
let city = null; // the city's outline
let orientationAsked = false;
let measure = null;

function metresPerPixel(lat) {
  return (EARTH_PX_M * Math.cos((lat * Math.PI) / 180)) / 2 ** view.map.getZoom();
}

function widthOf(line) {
  if (!measure) {
    // The width a name takes in the labels' own font, without laying it out in the page.
    const probe = document.createElement("div");
    probe.className = "area-label";
    view.map.getContainer().append(probe);
    const font = getComputedStyle(probe).font;
    probe.remove();
    measure = document.createElement("canvas").getContext("2d");
    measure.font = font;
  }
  return Math.ceil(measure.measureText(line).width) + 4;
}

// One line, or two split at the break nearest the middle where one line would be too wide.
function linesOf(name) {
  if (widthOf(name) <= ONE_LINE_PX) return [name];
  let best = null;
  for (const match of name.matchAll(/[-/ ]/g)) {
    const cut = match[0] === " " ? match.index : match.index + 1;
    const lines = [name.slice(0, cut).trim(), name.slice(cut).trim()];
    const width = Math.max(...lines.map(widthOf));
    if (lines.every(Boolean) && (!best || width < best.width)) best = { lines, width };
  }
  return best ? best.lines : [name];
}

const overlaps = (a, b) =>
  a.left < b.right + GAP_PX && b.left < a.right + GAP_PX && a.top < b.bottom + GAP_PX && b.top < a.bottom + GAP_PX;

// Where a name could stand on screen: its label point, or a little off it, still inside the
// circle that fits in its area, where a neighbour's name takes the point; null where its area
// is too small on screen.
function candidate(name, point, roomM, size) {
  const at = view.map.latLngToContainerPoint([point[1], point[0]]);
  if (at.x < 0 || at.y < 0 || at.x > size.x || at.y > size.y) return null;
  const room = roomM ? roomM / metresPerPixel(point[1]) : Infinity;
  if (room < MIN_ROOM_PX) return null;
  const lines = linesOf(name);
  const width = Math.max(...lines.map(widthOf));
  const height = lines.length * LINE_HEIGHT_PX;
  const shift = Math.min(room * 0.6, height);
  const spots = [[0, 0], [0, -shift], [0, shift], [-shift, 0], [shift, 0]].map(([dx, dy]) => {
    const x = at.x + dx;
    const y = at.y + dy;
    return { x, y, box: { left: x - width / 2, right: x + width / 2, top: y - height / 2, bottom: y + height / 2 } };
  });
  // How far the name reaches beyond its area's circle: those that fit best are placed first.
  const overflow = Math.max(width, height) / 2 / room;
  return { name, room, overflow, lines, width, height, spots };
}

function marker(place, at, className) {
  const html = place.lines.map((line) => `<span>${escapeHtml(line)}</span>`).join("");
  const icon = L.divIcon({
    className,
    html,
    iconSize: [place.width, place.height],
    iconAnchor: [place.width / 2, place.height / 2],
  });
  return L.marker(at, {
    icon,
    pane: "labels",
    interactive: false,
    keyboard: false,
  });
}

// The areas to name: those of the shown level (in a Bezirk view those inside it), each once.
function areaCandidates(size) {
  const painted = view.painted;
  const seen = new Set();
  const result = [];
  view.layer.eachLayer((part) => {
    const p = part.feature.properties;
    if (seen.has(p.code) || (config.within && !(painted && painted.byCode[p.code]))) return;
    seen.add(p.code);
    const point = p.label || (({ lat, lng }) => [lng, lat])(part.getBounds().getCenter());
    const place = candidate(p.name, point, p.label ? p.label_room_m : null, size);
    if (place) result.push(place);
  });
  return result;
}

// Places the names again for the map as it is now: after a draw, a zoom, a move or a resize.
export function placeLabels() {
  if (!view.map || !labels) return;
  if (!orientationAsked && view.layer) {
    // After the first map is drawn: the choropleth comes first on a slow line.
    orientationAsked = true;
    drawCity().catch(() => {});
    drawNeighbours().catch(() => {});
  }
  const size = view.map.getSize();
  const placed = [];
  const place = (group, places, className) => {
    if (!view.map.hasLayer(group)) {
      group.placement = null;
      group.clearLayers();
      return;
    }
    // Every name on its own point first, then those left out a little off it.
    const chosen = [];
    let left = places.sort((a, b) => a.overflow - b.overflow);
    for (const spots of [(place) => place.spots.slice(0, 1), (place) => place.spots]) {
      left = left.filter((place) => {
        const spot = spots(place).find((s) => !placed.some((box) => overlaps(box, s.box)));
        if (!spot) return true;
        placed.push(spot.box);
        chosen.push([place, spot, view.map.containerPointToLatLng([spot.x, spot.y])]);
        return false;
      });
    }
    // A pan leaves the names where they stand on the map: the layer is made again only when
    // the names or their places change, so nothing on the page flickers.
    const key = chosen.map(([place, , at]) => `${place.name}@${at.lat.toFixed(6)},${at.lng.toFixed(6)}`).join("|");
    if (group.placement === key) return;
    group.placement = key;
    group.clearLayers();
    for (const [place, , at] of chosen) marker(place, at, className).addTo(group);
  };
  place(labels, view.layer ? areaCandidates(size) : [], "area-label");
  const outside = neighbourNames
    .map((n) => candidate(n.name, n.label, n.label_room_m, size))
    .filter(Boolean);
  place(neighbours.names, outside, "area-label neighbour-label");
  view.map.getContainer().dataset.labels = String(labels.getLayers().length);
}

// The city's outline: the coarsest level's one area, from the published files.
async function drawCity() {
  const year = config.areasYear || config.year;
  if (!config.cityLevel || !config.dataUrl || !year) return;
  const geojson = await fetchJson(boundariesFile(config.cityLevel, year, null));
  L.geoJSON(geojson, {
    pane: "cityline",
    interactive: false,
    style: { fill: false, color: "#1a1a1a", weight: 2.5, opacity: 1 },
  }).addTo(city);
}

async function drawNeighbours() {
  if (!config.orientationUrl) return;
  const geojson = await fetchJson(config.orientationUrl);
  L.geoJSON(geojson, {
    pane: "neighbours",
    interactive: false,
    filter: (feature) => feature.geometry.type !== "Point",
    style: { fill: false, color: "#8c8c8c", weight: 1, opacity: 1 },
    attribution: escapeHtml(config.orientationAttribution || ""),
  }).addTo(neighbours);
  neighbourNames = geojson.features
    .filter((f) => f.geometry.type === "Point")
    .map((f) => ({ ...f.properties, label: f.geometry.coordinates }));
  placeLabels();
}

function remembered() {
  try {
    return JSON.parse(window.localStorage.getItem(PREFERENCE)) || {};
  } catch (error) {
    return {};
  }
}

function remember(key, shown) {
  try {
    window.localStorage.setItem(PREFERENCE, JSON.stringify({ ...remembered(), [key]: shown }));
  } catch (error) {
    // Private mode: the choice lasts for this page only.
  }
}

// The panes and the layer control, once, when the map is made.
export function setupOrientation(map) {
  for (const [name, z] of [["neighbours", 390], ["cityline", 420], ["labels", 450]]) {
    const pane = map.createPane(name);
    pane.style.zIndex = String(z);
    pane.style.pointerEvents = "none";
  }
  labels = L.layerGroup();
  neighbours = L.layerGroup();
  neighbours.names = L.layerGroup().addTo(neighbours);
  city = L.layerGroup();
  const choice = remembered();
  const layers = { names: labels, outline: city, neighbours };
  for (const [key, group] of Object.entries(layers)) {
    if (choice[key] !== false) group.addTo(map);
  }
  const overlays = { [text.areaNames]: labels, [text.cityOutline]: city };
  if (config.orientationUrl) overlays[text.neighbours] = neighbours;
  const control = L.control.layers(null, overlays, {
    collapsed: map.getSize().x < 600,
    position: "topleft",
  });
  control.addTo(map);
  const toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
  toggle.title = text.mapLayers;
  toggle.setAttribute("aria-label", text.mapLayers);
  const keyOf = (layer) => Object.keys(layers).find((key) => layers[key] === layer);
  map.on("overlayadd overlayremove", (event) => {
    remember(keyOf(event.layer), event.type === "overlayadd");
    placeLabels();
  });
  map.on("zoomend moveend resize", placeLabels);
}
