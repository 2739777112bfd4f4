/* The page's state: the configuration the server hands over (indicator, level, year,
   classification, chosen areas …), what the map shows now, and the state's place in the URL,
   so that every view can be shared, reloaded, and stepped through with back and forward. */
import { text } from "./text.js";

export const config = JSON.parse(document.getElementById("atlas-config").textContent);

// What is on the page now, shared by its modules.
export const view = {
  map: null,
  layer: null,
  focused: null, // the district whose table row has the focus or the pointer
  values: null, // the level's values: table, downloads and charts
  painted: null, // what the map draws: those values, or its overview's (config.overview)
};

// The state announced last, for a listener that starts after it (``onState``).
let announced = null;

// Charts and other listeners learn of every new state and its values.
// ``areasYear``: the year whose areas and facilities are shown, a projected year's base year.
export function announce() {
  const data = view.values && view.values.data;
  const areasYear = data && data.projection ? data.projection.areas_year : config.year;
  announced = { config, values: data, map: view.map, areasYear };
  document.dispatchEvent(new CustomEvent("atlas:state", { detail: announced }));
}

// Calls ``listener`` with every new state, and at once with the last one if there was one:
// the charts' and the facilities' scripts may run after the map's first values arrived (a
// slow connection, the values from a cache), and must not miss them.
export function onState(listener) {
  document.addEventListener("atlas:state", listener);
  if (announced) listener(new CustomEvent("atlas:state", { detail: announced }));
}

// A chosen area of another level than the table's, such as the Stadtbezirk in its own view,
// is chosen as "level:code" (an official code holds no colon).
export function choiceOf(chosen) {
  const at = chosen.indexOf(":");
  return at < 0 ? { level: config.level, code: chosen } : { level: chosen.slice(0, at), code: chosen.slice(at + 1) };
}

// The Stadtbezirk's own row in its view: chosen as "stadtbezirk:<code>".
export function withinChoice() {
  return config.within ? `stadtbezirk:${config.within}` : null;
}

export function profileUrl(code, level = config.level) {
  const path = config.profileUrl
    .replace("__level__", encodeURIComponent(level))
    .replace("__code__", encodeURIComponent(code));
  const query = new URLSearchParams({ year: config.year });
  if (config.indicator) query.set("indicator", config.indicator);
  return `${path}?${query}`;
}

// The Stadtbezirk links keep what is shown (not the level or the chosen areas, which the other
// view has its own of).
export function bezirkQuery() {
  const params = stateParams();
  for (const key of ["level", "sel", "y", "chart"]) params.delete(key);
  return params;
}

export function stateParams() {
  const params = new URLSearchParams({ indicator: config.indicator, year: config.year });
  if (!config.within && config.level !== "statistischer-bezirk") params.set("level", config.level);
  params.set("method", config.method);
  params.set("classes", config.classes);
  if (config.method === "manual" && config.breaks) params.set("breaks", config.breaks);
  if (config.from) params.set("from", config.from);
  // A projected year's scenario (the default one goes without saying).
  const projected = (config.projectedYears || []).includes(Number(config.year));
  if (projected && config.scenario !== config.defaultScenario) params.set("scenario", config.scenario);
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
export function pushState() {
  const params = stateParams();
  const search = `?${params}`;
  if (search !== window.location.search) history.pushState(null, "", search);
  for (const link of document.querySelectorAll(".bezirk-switch a")) {
    link.href = `${link.dataset.path}?${bezirkQuery()}`;
  }
  followLanguageLinks();
}

// The language switch opens this very view in the other language: its links follow the URL.
function followLanguageLinks() {
  for (const link of document.querySelectorAll(".language-switch a[hreflang]")) {
    const params = new URLSearchParams(window.location.search);
    params.set("lang", link.hreflang);
    link.href = `${window.location.pathname}?${params}`;
  }
}
window.addEventListener("popstate", followLanguageLinks);

export function readState() {
  const params = new URLSearchParams(window.location.search);
  config.year = params.get("year") || config.year;
  config.from = params.get("from") || "";
  config.scenario = params.get("scenario") || config.defaultScenario;
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
export function germanBreaks(breaks) {
  if (!breaks) return "";
  const fmt = new Intl.NumberFormat(text.locale, { maximumFractionDigits: 6, useGrouping: false });
  return breaks
    .split(",")
    .map((part) => fmt.format(Number(part)))
    .join("; ");
}

export function parseBreaks(input) {
  const german = text.locale.startsWith("de");
  const parts = input
    .split(german ? ";" : /[;,]/)
    .map((part) => part.trim())
    .filter(Boolean);
  const numbers = parts.map((part) => Number(german ? part.replace(/\./g, "").replace(",", ".") : part));
  return numbers.some(Number.isNaN) ? null : numbers.join(",");
}
