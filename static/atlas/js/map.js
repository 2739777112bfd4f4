/* Map explorer: boundaries are fetched once per level, values per indicator and year. */
import { escapeHtml, fill } from "./escape.js";

(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("atlas-config").textContent);
  const text = JSON.parse(document.getElementById("atlas-i18n").textContent);
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

  let map = null;
  let layer = null;
  let focused = null; // the district whose table row has the focus or the pointer
  let values = null; // the level's values: table, downloads and charts
  let painted = null; // what the map draws: those values, or its overview's (config.overview)
  const boundaries = {};

  // A change map's figures carry their sign, as the fact sheet's do ("+0,5", "−1,2", "0,0").
  const numberFormat = (decimals, signed = false) =>
    new Intl.NumberFormat(text.locale, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      signDisplay: signed ? "exceptZero" : "auto",
    });
  const formatOf = (data) => numberFormat(data.decimals, Boolean(data.from));
  const percentFormat = numberFormat(1, true);

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
      const key = [o.fill, o.fillColor, o.fillOpacity, o.fillRule, o.stroke, o.color, o.weight,
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

  const isSuppressed = (row) => Boolean(row) && row.reason === "disclosure";
  const hasValue = (row) => Boolean(row) && row.value !== null;

  function unitOf(data) {
    return text.locale.startsWith("de") ? data.unit_de : data.unit_en || data.unit_de;
  }

  // Provisional and estimated values carry their mark ("p", "s") wherever they are shown.
  const markOf = (row) => (row && row.value !== null && text.marks[row.status]) || null;

  function formatValue(row, fmt) {
    if (!row || row.status === null) return "–";
    if (row.value === null) return escapeHtml(row.status);
    const mark = markOf(row);
    return (row.approximate ? "≈ " : "") + fmt.format(row.value) + (mark ? ` ${escapeHtml(mark.symbol)}` : "");
  }

  // Why an area shows a symbol instead of a number: the symbol's meaning, and the reason.
  function symbolText(row) {
    if (!row || row.value !== null || row.status === null) return "";
    // A roll-up whose parts all wait for the same thing passes their symbol on: it says all.
    const passedOn = row.reason === "incomplete" && row.status !== ".";
    const parts = [text.symbols[row.status], passedOn ? "" : text.reasons[row.reason]].filter(Boolean);
    return parts.join(": ");
  }

  // Counts change in their unit and in % of the first year's value: " (+2,1 %)".
  function formatPercent(row) {
    if (!row || typeof row.change_percent !== "number") return "";
    return ` (${percentFormat.format(row.change_percent)} %)`;
  }

  function formatInterval(row, fmt) {
    if (!row || row.ci_low === null || row.ci_high === null) return "";
    return `${fmt.format(row.ci_low)} – ${fmt.format(row.ci_high)}`;
  }

  function comparisonText(row) {
    if (!row || !row.comparison) return "";
    return text.comparison[row.comparison] || "";
  }

  // Without a base map the classes are drawn opaque: more contrast between neighbours.
  const FILL_OPACITY = config.tileUrl ? 0.85 : 1;

  function styleFor(feature) {
    const row = painted && painted.byCode[feature.properties.code];
    const base = { stroke: false, fillOpacity: FILL_OPACITY };
    // In a Bezirk view the districts outside it stay as a dimmed outline for orientation.
    if (config.within && !row) return { ...base, fillColor: "#eeeeee", fillOpacity: 0.5 };
    if (isSuppressed(row)) return { ...base, fillColor: SUPPRESSED_FILL };
    if (!hasValue(row) || painted.data.classes === null) return { ...base, fillColor: MISSING_FILL };
    return { ...base, fillColor: painted.data.classes.colors[row.class] };
  }

  // Boundaries are a dark line over a wider white one: every fill, light or dark, has a
  // contrast of at least 3:1 with one of the two. Chosen areas get a heavy line.
  function haloStyle(feature) {
    const selected = config.selection.includes(feature.properties.code);
    if (!selected && areaPixels() < HALO_MIN_PIXELS) return { fill: false, stroke: false };
    return { fill: false, color: "#ffffff", weight: selected ? 6 : 3, opacity: 1 };
  }

  // Where thousands of areas are only a few dozen pixels across, white halos would cover
  // their colours and take most of the drawing time: there the dark line alone parts them,
  // and where they are a few pixels across, their colours alone. Lines and halos come back
  // as the map zooms in; chosen areas keep theirs.
  const HALO_MIN_PIXELS = 40;
  const LINE_MIN_PIXELS = 8;
  let pixels = null;
  function areaPixels() {
    if (!config.extent || !layer) return Infinity;
    const zoom = map.getZoom();
    const count = layer.areas;
    if (!pixels || pixels.zoom !== zoom || pixels.count !== count) {
      const [south, north] = [map.project(config.extent[0]), map.project(config.extent[1])];
      const area = Math.abs((north.x - south.x) * (north.y - south.y));
      pixels = { zoom, count, across: Math.sqrt(area / Math.max(1, count)) };
    }
    return pixels.across;
  }

  function lineStyle(feature) {
    const code = feature.properties.code;
    const row = painted && painted.byCode[code];
    const style = { fill: false, color: "#333333", weight: 1, opacity: 1 };
    if (config.selection.includes(code) || code === focused) {
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
  function restyle({ selection = true } = {}) {
    layer.renderer.redrawAll();
    layer.setStyle(styleFor);
    if (selection) layer.halo.setStyle(haloStyle);
    if (selection || areaPixels() >= LINE_MIN_PIXELS) layer.line.setStyle(lineStyle);
  }

  // A parameter the server refused (its message names it), shown beside the control.
  class BadParameter extends Error {
    constructor(error) {
      super(error.message);
      this.parameter = error.parameter;
    }
  }

  async function fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    return response.json();
  }

  // The first map's boundaries file is asked for beside its values, not after them: the
  // values name the boundary version, but the file's name needs only level, year and band.
  const early = {};
  function fetchEarly(url) {
    if (!early[url]) early[url] = fetchJson(url);
    // A hint only: a failure is met again where the file is loaded.
    early[url].catch(() => {});
  }

  // Boundaries are fetched once per boundary version, which the values response names.
  async function loadBoundaries(version, url) {
    if (!boundaries[version]) {
      const hinted = early[url];
      delete early[url];
      boundaries[version] = (hinted || fetchJson(url)).catch((error) => {
        delete boundaries[version];
        throw error;
      });
    }
    return boundaries[version];
  }

  // The published files (config.dataUrl, named by the state of the data, so they never
  // change) hold the values of an indicator, level and year with every classification the
  // controls offer; each is fetched once. Views they do not cover ask the API.
  const files = {};

  const dataFile = (kind, ...parts) =>
    `${config.dataUrl}${kind}/${parts.map((part) => encodeURIComponent(part)).join("/")}.json`;

  function loadFile(year, level = config.level) {
    const url = dataFile("values", config.indicator, level, year);
    if (!files[url]) {
      files[url] = fetchJson(url).catch((error) => {
        delete files[url];
        throw error;
      });
    }
    return files[url];
  }

  const fromFiles = () =>
    Boolean(config.dataUrl && config.year) &&
    !config.within &&
    !config.from &&
    !config.release &&
    config.method !== "manual";

  function classifiedFrom(file) {
    const methods = file.classifications || {};
    const variant = (methods[config.method] || {})[String(config.classes)];
    if (!variant) return null;
    const { classifications, ...data } = file;
    data.classes = variant.classes;
    data.values = file.values.map((row, i) => ({ ...row, class: variant.class[i] }));
    return data;
  }

  function indexed(data) {
    const byCode = {};
    for (const row of data.values) byCode[row.code] = row;
    return { data, byCode };
  }

  // A level with many areas (config.zoomBands) is drawn with the geometry simplified for the
  // map's zoom band, and loaded again when the zoom leaves the band.
  function bandAt(mapZoom) {
    if (!config.zoomBands) return null;
    const zoom = Math.floor(mapZoom);
    return config.zoomBands.find((band) => band.min <= zoom && (band.max === null || zoom <= band.max));
  }

  const bandNow = () => bandAt(map.getZoom());

  // Where the level's areas are specks (thousands of municipalities on a map of the whole
  // country), the map draws its overview: a coarser level with the values rolled up.
  function overviewAt(mapZoom) {
    const overview = config.overview;
    return overview && !config.within && Math.floor(mapZoom) <= overview.maxZoom ? overview : null;
  }

  const overviewNow = () => overviewAt(map.getZoom());

  const boundaryKey = (data, band) => (band ? `${data.boundaries.version}|z${band.min}` : data.boundaries.version);

  const boundariesFile = (level, year, band) =>
    dataFile("boundaries", level, band ? `${year}-z${band.min}` : year);

  // A level of thousands of areas (config.chunks) is loaded, band by band, for the part in
  // view: the areas meeting each tile of the chunk zoom (a zoom coarser than the band) in
  // view, one file each. Areas on a tile's edge come in both files and are drawn once.
  const chunked = (level, band) => Boolean(config.chunks && config.dataUrl && band) && level === config.level;

  function chunksInView(band) {
    const zoom = Math.max(0, band.min - config.chunks.zoomsUp);
    const view = map.getBounds().pad(0.1);
    const extent = L.latLngBounds(config.extent);
    if (!view.intersects(extent)) return [];
    const south = Math.max(view.getSouth(), extent.getSouth());
    const north = Math.min(view.getNorth(), extent.getNorth());
    const west = Math.max(view.getWest(), extent.getWest());
    const east = Math.min(view.getEast(), extent.getEast());
    const first = map.project([north, west], zoom).divideBy(256).floor();
    const last = map.project([south, east], zoom).divideBy(256).floor();
    const tiles = [];
    for (let x = first.x; x <= last.x; x++) {
      for (let y = first.y; y <= last.y; y++) tiles.push([x, y]);
    }
    return tiles;
  }

  async function fetchChunk(url, api) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    // No file for a tile without areas.
    if (response.status === 404) return { features: [] };
    if (!response.ok) return fetchJson(api);
    return response.json();
  }

  async function loadChunks(data, level, band, key, api) {
    const parts = await Promise.all(
      chunksInView(band).map(([x, y]) => {
        const chunkKey = `${key}|${x}-${y}`;
        if (!boundaries[chunkKey]) {
          const file = dataFile("boundaries", level, `${data.year}-z${band.min}`, `${x}-${y}`);
          boundaries[chunkKey] = fetchChunk(file, `${api}&chunk=${x},${y}`).catch((error) => {
            delete boundaries[chunkKey];
            throw error;
          });
        }
        return boundaries[chunkKey];
      }),
    );
    const seen = new Set();
    const features = [];
    for (const part of parts) {
      for (const feature of part.features) {
        if (seen.has(feature.properties.code)) continue;
        seen.add(feature.properties.code);
        features.push(feature);
      }
    }
    return { type: "FeatureCollection", features };
  }

  // Whether the view shows a tile whose chunk has not been asked for (createMap: moveend).
  function chunksMissing() {
    const band = bandNow();
    if (!values || !layer || overviewNow() || !chunked(config.level, band)) return false;
    const key = boundaryKey(painted.data, band);
    return chunksInView(band).some(([x, y]) => !boundaries[`${key}|${x}-${y}`]);
  }

  function boundariesFor(data, level = config.level) {
    const band = bandNow();
    const key = boundaryKey(data, band);
    const api = band ? `${data.boundaries.url}&zoom=${band.min}` : data.boundaries.url;
    if (chunked(level, band)) return loadChunks(data, level, band, key, api);
    if (!config.dataUrl) return loadBoundaries(key, api);
    const file = boundariesFile(level, data.year, band);
    return loadBoundaries(key, file).catch(() => loadBoundaries(key, api));
  }

  // The years beside the shown one are fetched ahead, so stepping to them needs no request.
  function prefetchNeighbours(data) {
    if (!fromFiles()) return;
    const at = data.years.indexOf(data.year);
    const overview = overviewNow();
    for (const year of [data.years[at - 1], data.years[at + 1]]) {
      if (year === undefined) continue;
      // A hint only: a failure here is met again, and reported, when that year is shown.
      const shown = overview ? overview.level : config.level;
      if (overview) loadFile(year).catch(() => {});
      loadFile(year, shown)
        .then((file) => boundariesFor(file, shown))
        .catch(() => {});
    }
  }

  async function loadValues(level = config.level) {
    if (fromFiles()) {
      try {
        const data = classifiedFrom(await loadFile(config.year, level));
        if (data) return indexed(data);
      } catch (error) {
        // No file for this view (e.g. a year without values): the API answers with a message.
      }
    }
    const params = new URLSearchParams({ indicator: config.indicator, level });
    if (config.year) params.set("year", config.year);
    if (config.within) params.set("within", config.within);
    params.set("method", config.method);
    params.set("classes", config.classes);
    if (config.method === "manual" && config.breaks) params.set("breaks", config.breaks);
    if (config.from) params.set("from", config.from);
    if (config.release) params.set("release", config.release);
    const response = await fetch(`${config.valuesUrl}?${params}`, {
      headers: { Accept: "application/json" },
    });
    const data = await response.json();
    if (!response.ok) throw new BadParameter(data.error);
    return indexed(data);
  }

  function renderYears(data) {
    const select = document.getElementById("year");
    select.replaceChildren(
      ...data.years.map((year) => new Option(String(year), String(year), false, year === data.year)),
    );
    // A change map runs from an earlier year to the shown one.
    const from = document.getElementById("from");
    const earlier = data.years.filter((year) => year < data.year);
    from.replaceChildren(
      from.options[0],
      ...earlier.map((year) => new Option(String(year), String(year), false, year === data.from)),
    );
  }

  function legendItem(swatch, label, count) {
    return `<li>${swatch}${escapeHtml(label)} <span class="count">(${count})</span></li>`;
  }

  function renderLegend(data) {
    const fmt = formatOf(data);
    const items = [];
    if (data.classes) {
      let lower = data.classes.lower;
      data.classes.breaks.forEach((upper, i) => {
        const swatch = `<span class="swatch" data-colour="${escapeHtml(data.classes.colors[i])}"></span>`;
        items.push(legendItem(swatch, `${fmt.format(lower)} – ${fmt.format(upper)}`, data.classes.counts[i]));
        lower = upper;
      });
    }
    const suppressed = data.values.filter(isSuppressed).length;
    const missing = data.values.filter((r) => !hasValue(r) && !isSuppressed(r)).length;
    items.push(legendItem('<span class="swatch swatch-suppressed"></span>', text.suppressed, suppressed));
    if (missing) {
      items.push(legendItem('<span class="swatch swatch-missing"></span>', text.missing, missing));
    }
    const reference = (label, row) =>
      `<p class="city-value">${escapeHtml(label)}: <strong>${formatValue(row, fmt)}</strong> ${escapeHtml(unitOf(data))}${formatPercent(row)}</p>`;
    // The marks the values carry, explained where they are shown.
    const rows = [...data.values, data.city, data.within_value].filter(Boolean);
    const notes = Object.keys(text.marks)
      .filter((status) => rows.some((row) => markOf(row) === text.marks[status]))
      .map((status) => `${text.marks[status].symbol} ${text.marks[status].label}`);
    if (rows.some((row) => row.approximate && row.value !== null)) notes.push(text.approximateMark);
    const marks = notes.length
      ? `<p class="marks-note">${notes.map((note) => escapeHtml(note)).join(" · ")}</p>`
      : "";
    const city =
      (data.within_value ? reference(data.within_value.name, data.within_value) : "") +
      (data.city ? reference(text.city, data.city) : "");
    const overview = overviewNow();
    const note = overview
      ? `<p class="overview-note">${escapeHtml(fill(text.overview, { name: overview.name }))}</p>`
      : "";
    document.getElementById("legend").innerHTML =
      `<h2>${escapeHtml(text.legend)}</h2><p class="unit">${escapeHtml(unitOf(data))}</p>` +
      `${note}<ul>${items.join("")}</ul>${marks}${city}`;
    // Colours are set through the DOM, not as style attributes in markup (no inline styles).
    for (const swatch of document.querySelectorAll("#legend [data-colour]")) {
      swatch.style.background = swatch.dataset.colour;
    }
  }

  function profileUrl(code, level = config.level) {
    const path = config.profileUrl
      .replace("__level__", encodeURIComponent(level))
      .replace("__code__", encodeURIComponent(code));
    return `${path}?year=${encodeURIComponent(config.year)}`;
  }

  // Rank 1 is the highest value; equal values share a rank. Worked out once per values file:
  // the table and every tooltip ask for it.
  const rankCache = new WeakMap();
  function ranks(data) {
    if (rankCache.has(data)) return rankCache.get(data);
    const shown = data.values.filter(hasValue).map((row) => row.value);
    const descending = [...shown].sort((a, b) => b - a);
    // In descending order a value first appears after all greater ones.
    const rankOf = new Map();
    descending.forEach((value, i) => {
      if (!rankOf.has(value)) rankOf.set(value, i + 1);
    });
    const byCode = {};
    for (const row of data.values.filter(hasValue)) byCode[row.code] = rankOf.get(row.value);
    const result = { byCode, count: shown.length };
    rankCache.set(data, result);
    return result;
  }

  // A level with thousands of areas shows its table a page at a time, with a filter by name
  // or key: rendering every row on each year change would hold the map up for seconds.
  const table = { page: 0, filter: "" };

  function tableRows(data) {
    const size = config.tablePage;
    const words = table.filter.toLowerCase().split(/\s+/).filter(Boolean);
    const matching = words.length
      ? data.values.filter((row) => {
          const key = `${row.code} ${row.name}`.toLowerCase();
          return words.every((word) => key.includes(word));
        })
      : data.values;
    const paged = size > 0 && data.values.length > size;
    const pager = document.getElementById("table-pager");
    if (pager) pager.hidden = !paged;
    if (!paged) return matching;
    const pages = Math.max(1, Math.ceil(matching.length / size));
    table.page = Math.min(table.page, pages - 1);
    const first = table.page * size;
    const shown = matching.slice(first, first + size);
    const number = new Intl.NumberFormat(text.locale);
    document.getElementById("table-page-status").textContent = (
      matching.length ? text.tablePage : text.tableNone
    )
      .replace("{from}", number.format(first + 1))
      .replace("{to}", number.format(first + shown.length))
      .replace("{n}", number.format(matching.length))
      .replace("{total}", number.format(data.values.length));
    document.getElementById("table-previous").disabled = table.page === 0;
    document.getElementById("table-next").disabled = table.page >= pages - 1;
    return shown;
  }

  function setupTablePager() {
    const pager = document.getElementById("table-pager");
    if (!pager) return;
    const turn = (step) => {
      table.page += step;
      if (values) renderTable(values.data);
    };
    document.getElementById("table-previous").addEventListener("click", () => turn(-1));
    document.getElementById("table-next").addEventListener("click", () => turn(1));
    document.getElementById("table-filter").addEventListener("input", (event) => {
      table.filter = event.target.value;
      table.page = 0;
      if (values) renderTable(values.data);
    });
  }

  function renderTable(data) {
    const fmt = formatOf(data);
    const rank = ranks(data);
    const body = document.querySelector("#values-table tbody");
    const rows = tableRows(data).map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.code = row.code;
      const select = document.createElement("td");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.className = "select-area";
      box.value = row.code;
      box.checked = config.selection.includes(row.code);
      box.setAttribute("aria-label", fill(text.select, { name: row.name }));
      select.append(box);
      tr.append(select);
      const cells = [
        [row.code, ""],
        [row.name, "name"],
        [formatValue(row, fmt) + formatPercent(row), "num value"],
        [rank.byCode[row.code] ? String(rank.byCode[row.code]) : "", "num"],
        [formatInterval(row, fmt), "num"],
        [isSuppressed(row) ? text.suppressed : comparisonText(row), row.verdict || ""],
      ];
      for (const [content, cls] of cells) {
        const td = document.createElement("td");
        td.textContent = content;
        if (cls === "num value") td.title = markOf(row) ? markOf(row).label : symbolText(row);
        if (cls === "better" || cls === "worse") {
          // Polarity turns a significant difference into better or worse: said in words, and
          // marked with a colour-blind-safe dot.
          td.className = `verdict verdict-${cls}`;
          td.textContent = `${content} (${text.verdict[cls]})`;
        } else if (cls === "name") {
          // The name leads to the district's profile: the keyboard way to what a click does.
          const link = document.createElement("a");
          link.href = profileUrl(row.code);
          link.textContent = content;
          td.replaceChildren(link);
        } else if (cls) {
          td.className = cls;
        }
        tr.append(td);
      }
      return tr;
    });
    body.replaceChildren(...rows);
    const name = document.getElementById("indicator-name");
    const caption = data.from ? text.changeCaption : text.caption;
    document.getElementById("table-caption").textContent = fill(caption, {
      indicator: name ? name.textContent : data.indicator,
      from: data.from,
      year: data.year,
      unit: unitOf(data),
    });
    renderSelectionStatus();
  }

  // The embed code pins the view to today's release: new values do not change it.
  function renderEmbedCode() {
    const area = document.getElementById("embed-html");
    if (!area) return;
    const params = stateParams();
    params.set("embed", "1");
    if (config.latestRelease) params.set("release", config.latestRelease);
    const src = `${window.location.origin}${window.location.pathname}?${params}`;
    const title = escapeHtml(text.embedTitle);
    area.value = `<iframe src="${escapeHtml(src)}" title="${title}" width="100%" height="640" loading="lazy" style="border:0"></iframe>`;
  }

  // The table's downloads follow what it shows.
  function renderDownloads(data) {
    const params = new URLSearchParams({ indicator: config.indicator, level: config.level, year: data.year });
    if (config.within) params.set("within", config.within);
    for (const link of document.querySelectorAll("#table-downloads a")) {
      const extra = link.dataset.dialect ? `&dialect=${link.dataset.dialect}` : "";
      link.href = `${link.dataset.base}?${params}${extra}`;
    }
  }

  function renderSelectionStatus() {
    const status = document.getElementById("selection-status");
    status.textContent = config.selection.length
      ? text.selected.replace("{n}", config.selection.length)
      : "";
  }

  // A row of the table stands for its district: focus or pointer on the row marks the district
  // on the map and opens its label, so the keyboard reaches what hovering shows.
  function showOnMap(code) {
    if (!layer || focused === code) return;
    focused = code;
    layer.line.setStyle(lineStyle);
    layer.eachLayer((part) => {
      if (part.feature.properties.code === code) part.openTooltip(part.getBounds().getCenter());
      else part.closeTooltip();
    });
  }

  function setupRowFocus() {
    const body = document.querySelector("#values-table tbody");
    const rowCode = (event) => {
      const row = event.target.closest("tr[data-code]");
      return row ? row.dataset.code : null;
    };
    const leave = () => {
      if (!layer || focused === null) return;
      focused = null;
      layer.line.setStyle(lineStyle);
      layer.eachLayer((part) => part.closeTooltip());
    };
    body.addEventListener("focusin", (event) => showOnMap(rowCode(event)));
    body.addEventListener("mouseover", (event) => showOnMap(rowCode(event)));
    body.addEventListener("focusout", leave);
    body.addEventListener("mouseleave", leave);
  }

  function setupSelection() {
    document.querySelector("#values-table tbody").addEventListener("change", (event) => {
      const box = event.target;
      if (!box.classList.contains("select-area")) return;
      if (box.checked && config.selection.length >= 6) {
        box.checked = false;
        document.getElementById("selection-status").textContent = text.tooMany;
        return;
      }
      config.selection = box.checked
        ? [...config.selection, box.value]
        : config.selection.filter((code) => code !== box.value);
      renderSelectionStatus();
      if (layer) restyle();
      pushState();
      announce();
    });
  }

  function tooltipFor(feature) {
    const row = painted.byCode[feature.properties.code];
    const fmt = formatOf(painted.data);
    const lines = [`<strong>${escapeHtml(feature.properties.name)}</strong>`];
    if (config.within && !row) return `${lines[0]}<br>${escapeHtml(text.outside)}`;
    if (row && row.share_inside < 1) {
      const share = new Intl.NumberFormat(text.locale, { style: "percent" }).format(row.share_inside);
      lines.push(escapeHtml(text.partly.replace("{share}", share)));
    }
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
      if (row && row.approximate) lines.push(escapeHtml(text.approximate));
      if (row && row.ignored_sources && row.ignored_sources.length) {
        const names = row.ignored_sources.map((s) => s.name).join(", ");
        lines.push(escapeHtml(text.ignoredSources.replace("{names}", names)));
      }
    }
    return lines.join("<br>");
  }

  // The level's own values: the year controls, the table and the downloads.
  function showValues(loaded) {
    values = loaded;
    config.year = String(loaded.data.year);
    renderYears(loaded.data);
    renderTable(loaded.data);
    renderDownloads(loaded.data);
    renderEmbedCode();
  }

  // The map: ``shown`` (the level's values or its overview's) on the boundaries of ``level``.
  function draw(shown, geojson, level, overview) {
    painted = shown;
    renderLegend(painted.data);
    const key = boundaryKey(painted.data, bandNow());
    if (layer && layer.version !== key) {
      for (const part of [layer, layer.halo, layer.line, layer.renderer]) part.remove();
      layer = null;
    }
    if (!layer) {
      // One canvas without padding: it ends where the map ends.
      const renderer = new BatchedCanvas({ padding: 0 });
      layer = L.geoJSON(geojson, {
        renderer,
        style: styleFor,
        onEachFeature: (feature, featureLayer) => {
          featureLayer.bindTooltip(() => tooltipFor(feature), { sticky: true });
          featureLayer.on("click", () => {
            window.location.href = profileUrl(feature.properties.code, level);
          });
        },
      }).addTo(map);
      layer.areas = level === config.level && config.areas ? config.areas : geojson.features.length;
      layer.codes = new Set(geojson.features.map((feature) => feature.properties.code));
      layer.halo = L.geoJSON(geojson, { renderer, interactive: false, style: haloStyle }).addTo(map);
      layer.line = L.geoJSON(geojson, { renderer, interactive: false, style: lineStyle }).addTo(map);
      layer.version = key;
      layer.renderer = renderer;
      const band = bandNow();
      if (band) map.getContainer().dataset.band = String(band.min);
      if (!map.fitted) map.fitBounds(focusBounds(), { padding: [8, 8] });
      map.fitted = true;
    } else {
      // Chunks that came in since: their areas join the layer.
      const fresh = geojson.features.filter((feature) => !layer.codes.has(feature.properties.code));
      if (fresh.length) {
        for (const part of [layer, layer.halo, layer.line]) part.addData(fresh);
        for (const feature of fresh) layer.codes.add(feature.properties.code);
      }
      restyle({ selection: false });
    }
    const drawn = config.within
      ? layer.getLayers().filter((l) => painted.byCode[l.feature.properties.code]).length
      : layer.getLayers().length;
    const container = map.getContainer();
    container.dataset.drawn = String(drawn);
    if (overview) container.dataset.overview = overview.level;
    else delete container.dataset.overview;
    const count = new Intl.NumberFormat(text.locale).format(drawn);
    document.getElementById("map-status").textContent = overview
      ? fill(text.overviewDrawn, { n: count, name: overview.name })
      : text.drawn.replace("{n}", count);
  }

  let repainting = false;

  async function repaint() {
    const status = document.getElementById("map-status");
    repainting = true;
    try {
      const overview = overviewNow();
      const level = overview ? overview.level : config.level;
      // An overview is drawn before the level's own values are fetched: for thousands of
      // areas they are the larger file, and on a slow line they would share its bandwidth
      // with the overview's. The table follows when they are in.
      if (!layer && fromFiles() && !chunked(level, bandNow())) {
        fetchEarly(boundariesFile(level, config.year, bandNow()));
      }
      const shown = await loadValues(level);
      const geojson = await boundariesFor(shown.data, level);
      if (!overview) showValues(shown);
      draw(shown, geojson, level, overview);
      if (overview) showValues(await loadValues());
      document.getElementById("breaks-error").textContent = "";
      announce();
      prefetchNeighbours(values.data);
      repainting = false;
      // The view moved on while this view's chunks loaded.
      if (chunksMissing()) repaint();
    } catch (error) {
      repainting = false;
      if (error instanceof BadParameter && error.parameter === "breaks") {
        document.getElementById("breaks-error").textContent = error.message;
        status.textContent = "";
        return;
      }
      status.textContent = text.error;
      throw error;
    }
  }

  // Charts and other listeners learn of every new state and its values.
  function announce() {
    document.dispatchEvent(
      new CustomEvent("atlas:state", { detail: { config, values: values && values.data, map } }),
    );
  }

  function focusBounds() {
    // A Bezirk view zooms to the Bezirk's districts; the city view to everything.
    if (!config.within) return layer.getBounds();
    const inside = layer.getLayers().filter((l) => painted.byCode[l.feature.properties.code]);
    return L.featureGroup(inside).getBounds();
  }

  function stateParams() {
    const params = new URLSearchParams({ indicator: config.indicator, year: config.year });
    if (!config.within && config.level !== "statistischer-bezirk") params.set("level", config.level);
    params.set("method", config.method);
    params.set("classes", config.classes);
    if (config.method === "manual" && config.breaks) params.set("breaks", config.breaks);
    if (config.from) params.set("from", config.from);
    if (config.selection.length) params.set("sel", config.selection.join(","));
    if (config.chart) params.set("chart", config.chart);
    if (config.scatter) params.set("y", config.scatter);
    if (config.embed) params.set("embed", "1");
    if (config.release) params.set("release", config.release);
    // Overlays (facilities.js) keep their own parameters in the view.
    for (const [key, value] of Object.entries(config.overlay || {})) if (value) params.set(key, value);
    if (!text.locale.startsWith("de")) params.set("lang", "en");
    return params;
  }

  // Every change of state is a history entry: back and forward step through the views.
  function pushState() {
    const params = stateParams();
    const search = `?${params}`;
    if (search !== window.location.search) history.pushState(null, "", search);
    // The language switch reopens this view.
    params.delete("lang");
    const next = document.querySelector(".language-switch input[name=next]");
    if (next) next.value = `${window.location.pathname}?${params}`;
  }

  function readState() {
    const params = new URLSearchParams(window.location.search);
    config.year = params.get("year") || config.year;
    config.from = params.get("from") || "";
    config.method = params.get("method") || config.method;
    // A class count the map does not offer (config.classCounts) keeps the current one.
    const classes = Number(params.get("classes"));
    if (config.classCounts.includes(classes)) config.classes = classes;
    config.breaks = params.get("breaks") || "";
    config.selection = (params.get("sel") || "").split(",").filter(Boolean).slice(0, 6);
    config.chart = params.get("chart") || "";
    config.scatter = params.get("y") || "";
    document.getElementById("method").value = config.method;
    document.getElementById("classes").value = String(config.classes);
    document.getElementById("breaks").value = germanBreaks(config.breaks);
    document.getElementById("breaks-row").hidden = config.method !== "manual";
  }

  // Breaks travel in the URL with a decimal point; the German form shows decimal commas.
  function germanBreaks(breaks) {
    if (!breaks) return "";
    const fmt = new Intl.NumberFormat(text.locale, { maximumFractionDigits: 6, useGrouping: false });
    return breaks
      .split(",")
      .map((part) => fmt.format(Number(part)))
      .join("; ");
  }

  function parseBreaks(input) {
    const german = text.locale.startsWith("de");
    const parts = input
      .split(german ? ";" : /[;,]/)
      .map((part) => part.trim())
      .filter(Boolean);
    const numbers = parts.map((part) => Number(german ? part.replace(/\./g, "").replace(",", ".") : part));
    return numbers.some(Number.isNaN) ? null : numbers.join(",");
  }

  function setupBreaks() {
    document.getElementById("breaks").value = germanBreaks(config.breaks);
    document.getElementById("controls").addEventListener("submit", (event) => {
      event.preventDefault();
      const parsed = parseBreaks(document.getElementById("breaks").value);
      if (parsed === null) {
        document.getElementById("breaks-error").textContent = text.badBreaks;
        return;
      }
      config.breaks = parsed;
      pushState();
      repaint();
    });
  }

  function setupSearch() {
    const input = document.getElementById("indicator-search");
    const select = document.getElementById("indicator");
    const found = document.getElementById("indicator-found");
    const options = [...select.options];
    input.addEventListener("input", () => {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const option of options) {
        const match = words.every((word) => option.dataset.search.includes(word));
        option.hidden = !match;
        option.disabled = !match && !option.selected;
        if (match) shown += 1;
      }
      for (const group of select.querySelectorAll("optgroup")) {
        group.hidden = [...group.children].every((option) => option.hidden);
      }
      found.textContent = words.length
        ? text.found.replace("{n}", shown).replace("{total}", options.length)
        : "";
    });
    // Enter in the search field picks the first match.
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const first = options.find((option) => !option.hidden);
      if (first && first.value !== config.indicator) {
        config.indicator = first.value;
        window.location.search = stateParams().toString();
      }
    });
  }

  // Play steps through the years from the shown one to the last, one repaint at a time.
  function setupPlay() {
    const button = document.getElementById("play");
    const select = document.getElementById("year");
    let timer = null;
    const stop = () => {
      clearTimeout(timer);
      timer = null;
      button.setAttribute("aria-pressed", "false");
      button.textContent = text.play;
    };
    const step = async () => {
      const next = select.selectedIndex + 1;
      if (next >= select.options.length) return stop();
      config.year = select.options[next].value;
      if (config.from && Number(config.from) >= Number(config.year)) config.from = "";
      pushState();
      await repaint();
      if (timer !== null) timer = setTimeout(step, 1200);
    };
    button.addEventListener("click", () => {
      if (timer !== null) return stop();
      if (select.selectedIndex === select.options.length - 1) {
        config.year = select.options[0].value;
      }
      button.setAttribute("aria-pressed", "true");
      button.textContent = text.pause;
      timer = setTimeout(step, 0);
    });
  }

  // The map is made here, not by an inline script, so the pages need no script in the HTML.
  function createMap() {
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
        if ((now[0] !== drawn[0] || now[1] !== drawn[1]) && values) repaint();
        else if (layer) {
          layer.renderer.redrawAll();
          layer.halo.setStyle(haloStyle);
          layer.line.setStyle(lineStyle);
        }
        drawn = now;
      });
      // Panning a level loaded in chunks brings the chunks of the new view.
      leafletMap.on("moveend", () => {
        if (!repainting && chunksMissing()) repaint();
      });
    }
    return leafletMap;
  }

  function init() {
    map = createMap();
    document.getElementById("map-status").textContent = text.loading;
    document.getElementById("indicator").addEventListener("change", (event) => {
      // A new indicator changes name, definition and unit too: reload the page for them.
      config.indicator = event.target.value;
      window.location.search = stateParams().toString();
    });
    const levelSelect = document.getElementById("level");
    if (levelSelect) {
      levelSelect.addEventListener("change", (event) => {
        config.level = event.target.value;
        window.location.search = stateParams().toString();
      });
    }
    document.getElementById("year").addEventListener("change", (event) => {
      config.year = event.target.value;
      // The note on the year the page opened on is about that year only.
      const yearNote = document.getElementById("year-note");
      if (yearNote) yearNote.hidden = true;
      // A change map needs its first year before the shown one.
      if (config.from && Number(config.from) >= Number(config.year)) config.from = "";
      pushState();
      repaint();
    });
    setupPlay();
    setupSearch();
    setupBreaks();
    setupSelection();
    setupRowFocus();
    setupTablePager();
    for (const name of ["method", "classes", "from"]) {
      document.getElementById(name).addEventListener("change", (event) => {
        config[name] = event.target.value;
        document.getElementById("breaks-row").hidden = config.method !== "manual";
        if (config.method === "manual" && !config.breaks) return;
        pushState();
        repaint();
      });
    }
    window.addEventListener("popstate", () => {
      readState();
      repaint();
    });
    document.addEventListener("atlas:overlay", (event) => {
      config.overlay = event.detail;
      pushState();
      renderEmbedCode();
    });
    document.addEventListener("atlas:chart", (event) => {
      config.chart = event.detail.chart;
      config.scatter = event.detail.scatter || "";
      pushState();
    });
    repaint();
  }

  init();
})();
