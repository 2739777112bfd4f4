/* The choropleth: Leaflet on one batched canvas, a fill per class, boundaries as a dark line
   over a white halo, tooltips, and the map itself with its zoom bands. */
import { escapeHtml, fill } from "../escape.js";
import { bandAt, bandNow, boundaryKey, chunksMissing, overviewAt } from "./data.js";
import {
  comparisonText,
  formatInterval,
  formatOf,
  formatPercent,
  formatValue,
  hasValue,
  isSuppressed,
  markOf,
  ranks,
  symbolText,
  unitOf,
} from "./format.js";
import { placeLabels, setupOrientation } from "./labels.js";
import { renderLegend } from "./legend.js";
import { projectedRange, projectionTitle } from "./projection.js";
import { config, profileUrl, view } from "./state.js";
import { areaClicked } from "./tap.js";
import { text } from "./text.js";

const MISSING_FILL = "#ffffff";
// Withheld values get a hatching, not a colour of the scale (Leaflet's canvas renderer
// passes fillColor to the canvas as fillStyle, so a pattern works there).
const SUPPRESSED_FILL = (() => {
  const tile = document.createElement("canvas");
  tile.width = tile.height = 8;
  const ctx = tile.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, 8, 8);
  ctx.strokeStyle = "#8c8c8c";
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(-2, 10);
  ctx.lineTo(10, -2);
  ctx.stroke();
  return ctx.createPattern(tile, "repeat");
})();

// A projected year's areas: their class colour under a hatching that leans the other way
// than the withheld values' and lets the colour show between its lines; dark lines on light
// colours, light ones on dark, so that the hatching shows on every class. One pattern per
// colour, made once.
const HATCHES = new Map();
function hatched(colour) {
  if (!HATCHES.has(colour)) {
    const tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    const ctx = tile.getContext("2d");
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = isLight(colour) ? "rgba(0, 0, 0, 0.45)" : "rgba(255, 255, 255, 0.7)";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(-2, -2);
    ctx.lineTo(10, 10);
    ctx.stroke();
    HATCHES.set(colour, ctx.createPattern(tile, "repeat"));
  }
  return HATCHES.get(colour);
}

function isLight(colour) {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5;
}

// A canvas that draws all areas of one style as one path: one fill per class colour and one
// stroke per line style instead of one of each per area, which for a level of thousands of
// areas is most of the time a year change takes. The areas of a level do not overlap, so
// the order of fills within a layer does not matter; styles are drawn in the order they
// first appear, which keeps the halos under the lines and a chosen area's line on top.
const BatchedCanvas = L.Canvas.extend({
  redrawAll() {
    this._all = true;
  },

  _requestRedraw(layer) {
    if (!this._map) return;
    if (!this._all) this._extendRedrawBounds(layer);
    this._redrawRequest = this._redrawRequest || L.Util.requestAnimFrame(this._redraw, this);
  },

  _redraw() {
    if (this._all) this._redrawBounds = null;
    this._all = false;
    L.Canvas.prototype._redraw.call(this);
  },

  _draw() {
    const bounds = this._redrawBounds;
    const ctx = this._ctx;
    ctx.save();
    if (bounds) {
      const size = bounds.getSize();
      ctx.beginPath();
      ctx.rect(bounds.min.x, bounds.min.y, size.x, size.y);
      ctx.clip();
    }
    this._batches = new Map();
    this._drawing = true;
    for (let order = this._drawFirst; order; order = order.next) {
      const layer = order.layer;
      if (!bounds || (layer._pxBounds && layer._pxBounds.intersects(bounds))) layer._updatePath();
    }
    this._drawing = false;
    for (const batch of this._batches.values()) this._paint(ctx, batch.path, batch.options);
    this._batches = null;
    ctx.restore();
  },

  _updatePoly(layer, closed) {
    const o = layer.options;
    if (!this._drawing || !layer._parts.length || !(o.fill || o.stroke)) return;
    // A pattern names itself by its colour (o.hatch): as text every pattern is the same.
    const key = [o.fill, o.hatch || o.fillColor, o.fillOpacity, o.fillRule, o.stroke, o.color, o.weight,
      o.opacity, o.dashArray, o.lineCap, o.lineJoin].join("|");
    let batch = this._batches.get(key);
    if (!batch) {
      batch = { path: new Path2D(), options: o };
      this._batches.set(key, batch);
    }
    // A ring ends with a line back to its start: closePath on a path of thousands of rings
    // costs Chromium more than all the rest of the drawing.
    const path = batch.path;
    for (const part of layer._parts) {
      part.forEach((point, i) => path[i ? "lineTo" : "moveTo"](point.x, point.y));
      if (closed && part.length > 1) path.lineTo(part[0].x, part[0].y);
    }
  },

  _paint(ctx, path, o) {
    if (o.fill) {
      ctx.globalAlpha = o.fillOpacity;
      ctx.fillStyle = o.fillColor || o.color;
      ctx.fill(path, o.fillRule || "evenodd");
    }
    if (o.stroke && o.weight !== 0) {
      ctx.setLineDash(o._dashArray || []);
      ctx.globalAlpha = o.opacity;
      ctx.lineWidth = o.weight;
      ctx.strokeStyle = o.color;
      ctx.lineCap = o.lineCap;
      ctx.lineJoin = o.lineJoin;
      ctx.stroke(path);
    }
  },
});

// Without a base map the classes are drawn opaque: more contrast between neighbours.
const FILL_OPACITY = config.tileUrl ? 0.85 : 1;

function styleFor(feature) {
  const painted = view.painted;
  const row = painted && painted.byCode[feature.properties.code];
  const base = { stroke: false, fillOpacity: FILL_OPACITY };
  // In a Bezirk view the districts outside it stay as a dimmed outline for orientation.
  if (config.within && !row) return { ...base, fillColor: "#eeeeee", fillOpacity: 0.5 };
  if (isSuppressed(row)) return { ...base, fillColor: SUPPRESSED_FILL };
  if (!hasValue(row) || painted.data.classes === null) return { ...base, fillColor: MISSING_FILL };
  const colour = painted.data.classes.colors[row.class];
  if (row.projected) return { ...base, fillColor: hatched(colour), hatch: colour };
  return { ...base, fillColor: colour };
}

// Boundaries are a dark line over a wider white one: every fill, light or dark, has a
// contrast of at least 3:1 with one of the two. Chosen areas get a heavy line.
function haloStyle(feature) {
  if (feature.properties.code === view.focused) return FOCUS_HALO;
  const selected = config.selection.includes(feature.properties.code);
  if (!selected && areaPixels() < HALO_MIN_PIXELS) return { fill: false, stroke: false };
  return { fill: false, color: "#ffffff", weight: selected ? 6 : 3, opacity: 1 };
}

// The area marked from the table or the keyboard: the site's focus ring, its yellow wider than
// the dark line drawn over it.
const FOCUS_HALO = { fill: false, color: "#ffbf47", weight: 9, opacity: 1 };

// Where thousands of areas are only a few dozen pixels across, white halos would cover
// their colours and take most of the drawing time: there the dark line alone parts them,
// and where they are a few pixels across, their colours alone. Lines and halos come back
// as the map zooms in; chosen areas keep theirs.
const HALO_MIN_PIXELS = 40;
const LINE_MIN_PIXELS = 8;
let pixels = null;
function areaPixels() {
  if (!config.extent || !view.layer) return Infinity;
  const zoom = view.map.getZoom();
  const count = view.layer.areas;
  if (!pixels || pixels.zoom !== zoom || pixels.count !== count) {
    const [south, north] = [view.map.project(config.extent[0]), view.map.project(config.extent[1])];
    const area = Math.abs((north.x - south.x) * (north.y - south.y));
    pixels = { zoom, count, across: Math.sqrt(area / Math.max(1, count)) };
  }
  return pixels.across;
}

function lineStyle(feature) {
  const code = feature.properties.code;
  const row = view.painted && view.painted.byCode[code];
  const style = { fill: false, color: "#333333", weight: 1, opacity: 1 };
  if (config.selection.includes(code) || code === view.focused) {
    return { ...style, color: "#000000", weight: 3.5 };
  }
  if (areaPixels() < LINE_MIN_PIXELS) return { fill: false, stroke: false };
  if (config.within && !row) return { ...style, color: "#767676" };
  if (isSuppressed(row)) return { ...style, dashArray: "2 4" };
  if (!hasValue(row)) return { ...style, dashArray: "3 3" };
  return style;
}

// Every area gets its style again: one redraw of the whole canvas, not the union of
// thousands of areas' bounds. The halo depends on the chosen areas only.
// Lines too small to be drawn get their style when the map zooms in (createMap).
export function restyle({ selection = true } = {}) {
  const layer = view.layer;
  layer.renderer.redrawAll();
  layer.setStyle(styleFor);
  if (selection) layer.halo.setStyle(haloStyle);
  if (selection || areaPixels() >= LINE_MIN_PIXELS) layer.line.setStyle(lineStyle);
}

// A row of the table stands for its district: focus or pointer on the row marks the district
// on the map and opens its label, so the keyboard reaches what hovering shows.
export function showOnMap(code) {
  if (!view.layer || view.focused === code) return;
  view.focused = code;
  markFocused();
  view.layer.eachLayer((part) => {
    if (part.feature.properties.code === code) part.openTooltip(part.getBounds().getCenter());
    else part.closeTooltip();
  });
}

function markFocused() {
  view.layer.renderer.redrawAll();
  view.layer.halo.setStyle(haloStyle);
  view.layer.line.setStyle(lineStyle);
}

export function leaveMap() {
  if (!view.layer || view.focused === null) return;
  view.focused = null;
  markFocused();
  view.layer.eachLayer((part) => part.closeTooltip());
}

function tooltipFor(feature) {
  const painted = view.painted;
  const row = painted.byCode[feature.properties.code];
  const fmt = formatOf(painted.data);
  const lines = [`<strong>${escapeHtml(feature.properties.name)}</strong>`];
  if (config.within && !row) return `${lines[0]}<br>${escapeHtml(text.outside)}`;
  if (row && row.share_inside < 1) {
    const share = new Intl.NumberFormat(text.locale, { style: "percent" }).format(row.share_inside);
    lines.push(escapeHtml(text.partly.replace("{share}", share)));
  }
  if (row && row.projected) return projectedTooltip(lines, row, fmt);
  if (isSuppressed(row)) {
    lines.push(escapeHtml(text.suppressed));
  } else {
    lines.push(`${formatValue(row, fmt)} ${escapeHtml(unitOf(painted.data))}${formatPercent(row)}`);
    if (markOf(row)) lines.push(escapeHtml(markOf(row).label));
    if (symbolText(row)) lines.push(escapeHtml(symbolText(row)));
    const interval = formatInterval(row, fmt);
    if (interval) lines.push(`${escapeHtml(text.interval)}: ${interval}`);
    const rank = ranks(painted.data);
    if (rank.byCode[feature.properties.code]) {
      lines.push(
        escapeHtml(
          text.rank.replace("{rank}", rank.byCode[feature.properties.code]).replace("{n}", rank.count),
        ),
      );
    }
    if (row && row.comparison) lines.push(escapeHtml(comparisonText(row)));
    // The reference in sight: the city's value (and the Stadtbezirk's, in its view).
    for (const [label, reference] of [
      [painted.data.within_value && painted.data.within_value.name, painted.data.within_value],
      [text.city, painted.data.city],
    ]) {
      if (!reference || !hasValue(reference)) continue;
      const value = `${formatValue(reference, fmt)} ${escapeHtml(unitOf(painted.data))}${formatPercent(reference)}`;
      lines.push(`<span class="tooltip-reference">${escapeHtml(label)}: ${value}</span>`);
    }
    if (row && row.approximate) lines.push(escapeHtml(text.approximate));
    if (row && row.ignored_sources && row.ignored_sources.length) {
      const names = row.ignored_sources.map((s) => s.name).join(", ");
      lines.push(escapeHtml(text.ignoredSources.replace("{names}", names)));
    }
  }
  return lines.join("<br>");
}

// A projected area: what it is, the median, the 80 % interval, the city's median.
function projectedTooltip(lines, row, fmt) {
  const data = view.painted.data;
  const unit = escapeHtml(unitOf(data));
  lines.push(escapeHtml(projectionTitle(data)));
  lines.push(`${escapeHtml(text.median)}: ${formatValue(row, fmt)} ${unit}`);
  const range = projectedRange(row, fmt);
  if (range) lines.push(`${escapeHtml(text.projectionRange)}: ${range}`);
  if (row.small) lines.push(escapeHtml(text.small));
  if (data.city && hasValue(data.city)) {
    const value = `${formatValue(data.city, fmt)} ${unit}`;
    lines.push(`<span class="tooltip-reference">${escapeHtml(text.city)}: ${value}</span>`);
  }
  return lines.join("<br>");
}

function focusBounds() {
  // A Bezirk view zooms to the Bezirk's districts; the city view to everything.
  const layer = view.layer;
  if (!config.within) return layer.getBounds();
  const inside = layer.getLayers().filter((l) => view.painted.byCode[l.feature.properties.code]);
  return L.featureGroup(inside).getBounds();
}

// The map: ``shown`` (the level's values or its overview's) on the boundaries of ``level``.
export function draw(shown, geojson, level, overview) {
  const map = view.map;
  view.painted = shown;
  renderLegend(shown.data);
  const key = boundaryKey(shown.data, bandNow());
  if (view.layer && view.layer.version !== key) {
    for (const part of [view.layer, view.layer.halo, view.layer.line, view.layer.renderer]) part.remove();
    view.layer = null;
  }
  if (!view.layer) {
    // One canvas without padding: it ends where the map ends.
    const renderer = new BatchedCanvas({ padding: 0 });
    const layer = L.geoJSON(geojson, {
      renderer,
      style: styleFor,
      onEachFeature: (feature, featureLayer) => {
        featureLayer.bindTooltip(() => tooltipFor(feature), { sticky: true });
        featureLayer.on("click", (event) => {
          const url = profileUrl(feature.properties.code, level);
          areaClicked({ event, layer: featureLayer, content: tooltipFor(feature), url });
        });
      },
    }).addTo(map);
    view.layer = layer;
    layer.areas = level === config.level && config.areas ? config.areas : geojson.features.length;
    layer.codes = new Set(geojson.features.map((feature) => feature.properties.code));
    layer.halo = L.geoJSON(geojson, { renderer, interactive: false, style: haloStyle }).addTo(map);
    layer.line = L.geoJSON(geojson, { renderer, interactive: false, style: lineStyle }).addTo(map);
    layer.version = key;
    layer.renderer = renderer;
    const band = bandNow();
    if (band) map.getContainer().dataset.band = String(band.min);
    // The first fit jumps: an animated zoom from the default view leaves the map deaf to taps
    // and clicks for its duration, just when the areas have appeared.
    if (!map.fitted) map.fitBounds(focusBounds(), { padding: [8, 8], animate: false });
    map.fitted = true;
  } else {
    // Chunks that came in since: their areas join the layer.
    const layer = view.layer;
    const fresh = geojson.features.filter((feature) => !layer.codes.has(feature.properties.code));
    if (fresh.length) {
      for (const part of [layer, layer.halo, layer.line]) part.addData(fresh);
      for (const feature of fresh) layer.codes.add(feature.properties.code);
    }
    restyle({ selection: false });
  }
  const drawn = config.within
    ? view.layer.getLayers().filter((l) => shown.byCode[l.feature.properties.code]).length
    : view.layer.getLayers().length;
  const container = map.getContainer();
  container.dataset.drawn = String(drawn);
  if (overview) container.dataset.overview = overview.level;
  else delete container.dataset.overview;
  const count = new Intl.NumberFormat(text.locale).format(drawn);
  placeLabels();
  document.getElementById("map-status").textContent = overview
    ? fill(text.overviewDrawn, { n: count, name: overview.name })
    : text.drawn.replace("{n}", count);
}

// The map is made here, not by an inline script, so the pages need no script in the HTML.
// ``repaint`` draws the view again; ``repainting`` says whether it is at it.
export function createMap({ repaint, repainting }) {
  const leafletMap = L.map("map", {
    center: config.center,
    zoom: config.zoom,
    minZoom: config.minZoom,
    maxZoom: config.maxZoom,
    // Fractional zoom lets a city fill the map instead of the next smaller whole zoom level.
    zoomSnap: 0.25,
  });
  leafletMap.attributionControl.setPrefix("Leaflet");
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution }).addTo(leafletMap);
  }
  L.control.scale({ imperial: false }).addTo(leafletMap);
  setupOrientation(leafletMap);
  if (config.extent) {
    // A large level is fitted before its boundaries load, so the first ones suit the zoom.
    const extent = L.latLngBounds(config.extent);
    // getBoundsZoom stops at the minimum zoom: lifted first, for a level larger than a city.
    leafletMap.setMinZoom(0);
    leafletMap.setMinZoom(Math.min(config.minZoom, Math.floor(leafletMap.getBoundsZoom(extent))));
    leafletMap.fitBounds(extent, { padding: [8, 8] });
    leafletMap.fitted = true;
    // What a zoom draws: the geometry of its band, of the level or of its overview.
    const drawing = (zoom) => [bandAt(zoom), overviewAt(zoom)];
    let drawn = drawing(leafletMap.getZoom());
    leafletMap.on("zoomend", () => {
      const now = drawing(leafletMap.getZoom());
      if ((now[0] !== drawn[0] || now[1] !== drawn[1]) && view.values) repaint();
      else if (view.layer) {
        view.layer.renderer.redrawAll();
        view.layer.halo.setStyle(haloStyle);
        view.layer.line.setStyle(lineStyle);
      }
      drawn = now;
    });
    // Panning a level loaded in chunks brings the chunks of the new view.
    leafletMap.on("moveend", () => {
      if (!repainting() && chunksMissing()) repaint();
    });
  }
  return leafletMap;
}
