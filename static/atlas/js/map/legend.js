/* The legend of what the map draws: its classes with their counts, withheld and missing
   values, the marks the values carry, and the city's (and the Stadtbezirk's) own value. */
import { escapeHtml, fill } from "../escape.js";
import { overviewNow } from "./data.js";
import { formatOf, formatPercent, formatValue, hasValue, isSuppressed, markOf, unitOf } from "./format.js";
import { projectedData, projectionTitle } from "./projection.js";
import { config } from "./state.js";
import { text } from "./text.js";

function legendItem(swatch, label, count) {
  return `<li>${swatch}${escapeHtml(label)} <span class="count">(${count})</span></li>`;
}

// The marks the values carry, explained where they are shown (legend and table).
export function markNotes(data) {
  const rows = [...data.values, data.city, data.within_value].filter(Boolean);
  const notes = Object.keys(text.marks)
    .filter((status) => rows.some((row) => markOf(row) === text.marks[status]))
    .map((status) => `${text.marks[status].symbol} ${text.marks[status].label}`);
  if (rows.some((row) => row.approximate && row.value !== null)) notes.push(text.approximateMark);
  return notes;
}

export function renderLegend(data) {
  const fmt = formatOf(data);
  const items = [];
  const projected = projectedData(data);
  // A projected year's classes are hatched as its areas are.
  const swatchClass = projected ? "swatch swatch-projected" : "swatch";
  if (data.classes) {
    let lower = data.classes.lower;
    data.classes.breaks.forEach((upper, i) => {
      const swatch = `<span class="${swatchClass}" data-colour="${escapeHtml(data.classes.colors[i])}"></span>`;
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
  // What the classes are, in one line: quantiles of a narrow range look like large differences.
  const classNote =
    data.classes && text.classNotes[config.method]
      ? `<p class="class-note">${escapeHtml(fill(text.classNotes[config.method], { n: data.classes.breaks.length }))}</p>`
      : "";
  const reference = (label, row) =>
    `<p class="city-value">${escapeHtml(label)}: <strong>${formatValue(row, fmt)}</strong> ${escapeHtml(unitOf(data))}${formatPercent(row)}</p>`;
  const notes = markNotes(data);
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
  const heading = projected
    ? `<p class="legend-projection"><strong>${escapeHtml(projectionTitle(data))}</strong>` +
      (data.projection.is_demo ? ` · ${escapeHtml(text.demo)}` : "") +
      ` · ${escapeHtml(text.median)} · <a href="${escapeHtml(data.projection.method_url)}">${escapeHtml(text.method)}</a></p>`
    : "";
  document.getElementById("legend").innerHTML =
    `<h2>${escapeHtml(text.legend)}</h2>${heading}<p class="unit">${escapeHtml(unitOf(data))}</p>` +
    `${note}<ul>${items.join("")}</ul>${classNote}${marks}${city}`;
  // Colours are set through the DOM, not as style attributes in markup (no inline styles);
  // as the background's colour only, so that a hatching over it stays.
  for (const swatch of document.querySelectorAll("#legend [data-colour]")) {
    swatch.style.backgroundColor = swatch.dataset.colour;
  }
}
