/* Loading what the map shows: values and boundaries from the published files (config.dataUrl)
   where they cover the view, else from the API. Boundaries are fetched once per boundary
   version, zoom band and chunk; values once per indicator, level, year and Bezirk. */
import { HttpError, fetchJson as fetchPatientJson, fetchPatiently, waitingText } from "../fetching.js";
import { areasYear, isProjected } from "./projection.js";
import { config, view } from "./state.js";

// A parameter the server refused (its message names it), shown beside the control.
export class BadParameter extends Error {
  constructor(error) {
    super(error.message);
    this.parameter = error.parameter;
  }
}

// A request that waits out the rate limit says so in the map's status line.
const patience = {
  onWait: (seconds) => {
    document.getElementById("map-status").textContent = waitingText(seconds);
  },
};

const fetchJson = (url) => fetchPatientJson(url, patience);

const boundaries = {};

// The first map's boundaries file is asked for beside its values, not after them: the
// values name the boundary version, but the file's name needs only level, year and band.
const early = {};
export function fetchEarly(url) {
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
// change) hold the values of an indicator, level and year (of the city or of one Bezirk)
// with every classification the controls offer; each is fetched once. Views they do not
// cover ask the API.
const files = {};

const dataFile = (kind, ...parts) =>
  `${config.dataUrl}${kind}/${parts.map((part) => encodeURIComponent(part)).join("/")}.json`;

function loadFile(year, level = config.level) {
  const name = config.within ? `${year}-in-${config.within}` : year;
  // A projected year's file is one of its scenario.
  const url = isProjected(year)
    ? dataFile("values", config.indicator, level, config.scenario, name)
    : dataFile("values", config.indicator, level, name);
  if (!files[url]) {
    files[url] = fetchJson(url).catch((error) => {
      delete files[url];
      throw error;
    });
  }
  return files[url];
}

export const fromFiles = () =>
  Boolean(config.dataUrl && config.year) &&
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
export function bandAt(mapZoom) {
  if (!config.zoomBands) return null;
  const zoom = Math.floor(mapZoom);
  return config.zoomBands.find((band) => band.min <= zoom && (band.max === null || zoom <= band.max));
}

export const bandNow = () => bandAt(view.map.getZoom());

// Where the level's areas are specks (thousands of municipalities on a map of the whole
// country), the map draws its overview: a coarser level with the values rolled up.
export function overviewAt(mapZoom) {
  const overview = config.overview;
  return overview && !config.within && Math.floor(mapZoom) <= overview.maxZoom ? overview : null;
}

export const overviewNow = () => overviewAt(view.map.getZoom());

export const boundaryKey = (data, band) =>
  band ? `${data.boundaries.version}|z${band.min}` : data.boundaries.version;

export const boundariesFile = (level, year, band) =>
  dataFile("boundaries", level, band ? `${year}-z${band.min}` : year);

// A level of thousands of areas (config.chunks) is loaded, band by band, for the part in
// view: the areas meeting each tile of the chunk zoom (a zoom coarser than the band) in
// view, one file each. Areas on a tile's edge come in both files and are drawn once.
export const chunked = (level, band) => Boolean(config.chunks && config.dataUrl && band) && level === config.level;

function chunksInView(band) {
  const map = view.map;
  const zoom = Math.max(0, band.min - config.chunks.zoomsUp);
  const bounds = map.getBounds().pad(0.1);
  const extent = L.latLngBounds(config.extent);
  if (!bounds.intersects(extent)) return [];
  const south = Math.max(bounds.getSouth(), extent.getSouth());
  const north = Math.min(bounds.getNorth(), extent.getNorth());
  const west = Math.max(bounds.getWest(), extent.getWest());
  const east = Math.min(bounds.getEast(), extent.getEast());
  const first = map.project([north, west], zoom).divideBy(256).floor();
  const last = map.project([south, east], zoom).divideBy(256).floor();
  const tiles = [];
  for (let x = first.x; x <= last.x; x++) {
    for (let y = first.y; y <= last.y; y++) tiles.push([x, y]);
  }
  return tiles;
}

async function fetchChunk(url, api) {
  const response = await fetchPatiently(url, patience);
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
        const file = dataFile("boundaries", level, `${areasYear(data)}-z${band.min}`, `${x}-${y}`);
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
export function chunksMissing() {
  const band = bandNow();
  if (!view.values || !view.layer || overviewNow() || !chunked(config.level, band)) return false;
  const key = boundaryKey(view.painted.data, band);
  return chunksInView(band).some(([x, y]) => !boundaries[`${key}|${x}-${y}`]);
}

export function boundariesFor(data, level = config.level) {
  const band = bandNow();
  const key = boundaryKey(data, band);
  const api = band ? `${data.boundaries.url}&zoom=${band.min}` : data.boundaries.url;
  if (chunked(level, band)) return loadChunks(data, level, band, key, api);
  if (!config.dataUrl) return loadBoundaries(key, api);
  const file = boundariesFile(level, areasYear(data), band);
  return loadBoundaries(key, file).catch(() => loadBoundaries(key, api));
}

// The years beside the shown one are fetched ahead, so stepping to them needs no request.
export function prefetchNeighbours(data) {
  if (!fromFiles()) return;
  // Within the shown year's kind: the step from the last observed year into the projection is
  // another view (hatched, with its scenario), fetched when asked for.
  const years = isProjected(data.year) ? data.projected_years : data.years;
  const at = years.indexOf(data.year);
  const overview = overviewNow();
  for (const year of [years[at - 1], years[at + 1]]) {
    if (year === undefined) continue;
    // A hint only: a failure here is met again, and reported, when that year is shown.
    const shown = overview ? overview.level : config.level;
    if (overview) loadFile(year).catch(() => {});
    loadFile(year, shown)
      .then((file) => boundariesFor(file, shown))
      .catch(() => {});
  }
}

export async function loadValues(level = config.level) {
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
  if (isProjected(config.year)) params.set("scenario", config.scenario);
  const response = await fetchPatiently(`${config.valuesUrl}?${params}`, patience);
  if (response.status === 429) throw new HttpError(response);
  const data = await response.json();
  if (!response.ok) throw new BadParameter(data.error);
  return indexed(data);
}
