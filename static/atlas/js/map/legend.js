/* The legend of what the map draws: its classes with their counts, withheld and missing
   values, the marks the values carry, and the city's (and the Stadtbezirk's) own value. */
import { escapeHtml, fill } from "../escape.js";
import { overviewNow } from "./data.js";
import { formatOf, formatPercent, formatValue, hasValue, isSuppressed, markOf, unitOf } from "./format.js";
import { text } from "./text.js";

function legendItem(swatch, label, count) {
  return `<li>${swatch}${escapeHtml(label)} <span class="count">(${count})</span></li>`;
}

export function renderLegend(data) {
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
