/* A projected year on the map: the years after the published projection's base year show the
   medians of its simulated trajectories in one scenario. Wherever such a number is shown it
   says so ("Vorausberechnung 2030 (Szenario Trend)"), the map is hatched, the table gives the
   80 % interval, the scenario can be chosen and the method page is one link away. A change map
   runs between observed years only: a change from a count to a median would read as observed. */
import { escapeHtml, fill } from "../escape.js";
import { config, pushState } from "./state.js";
import { text } from "./text.js";

export const isProjected = (year) => (config.projectedYears || []).includes(Number(year));

// The data shown are a projection (the values response of a projected year).
export const projectedData = (data) => Boolean(data && data.projection);

export function scenarioLabel(slug) {
  const found = (config.scenarios || []).find((scenario) => scenario.slug === slug);
  return found ? found.label : slug;
}

export function projectionTitle(data) {
  return fill(text.projectionTitle, { year: data.year, scenario: scenarioLabel(data.projection.scenario) });
}

// The year whose areas and boundaries a view shows: a projected year's are the base year's.
export const areasYear = (data) => (projectedData(data) ? data.projection.areas_year : data.year);

// The 80 % interval of a projected area: "158 – 210".
export function projectedRange(row, fmt) {
  if (!row || row.q10 === null || row.q10 === undefined) return "";
  return `${fmt.format(row.q10)} – ${fmt.format(row.q90)}`;
}

// Above the map, in the legend's heading and beside the controls: what is shown and where it
// is explained, with the demo mark of a demo run.
export function showProjection(data) {
  const projected = projectedData(data);
  const row = document.getElementById("projection-row");
  if (row) row.hidden = !projected;
  const banner = document.getElementById("projection-banner");
  banner.hidden = !projected;
  document.getElementById("map").classList.toggle("projected", projected);
  document.getElementById("interval-head").textContent = projected ? text.projectionInterval : text.interval;
  const from = document.getElementById("from");
  from.disabled = projected;
  document.getElementById("from-note").hidden = !projected;
  banner.classList.toggle("demo", projected && data.projection.is_demo);
  if (!projected) return;
  const demo = data.projection.is_demo ? ` · <strong>${escapeHtml(text.demo)}</strong>` : "";
  banner.innerHTML =
    `<strong>${escapeHtml(projectionTitle(data))}</strong>${demo} · ` +
    `<a href="${escapeHtml(data.projection.method_url)}">${escapeHtml(text.method)}</a>`;
  const select = document.getElementById("scenario");
  if (select) select.value = data.projection.scenario;
}

export function setupScenario(repaint) {
  const select = document.getElementById("scenario");
  if (!select) return;
  select.addEventListener("change", () => {
    config.scenario = select.value;
    pushState();
    repaint();
  });
}
