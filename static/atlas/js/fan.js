/* The projection's fan: an indicator's observed series continued after the last observed
   year by the published projection (the "projection" of /api/v1/series): the median as a
   dashed line, the 50, 80 and 95 % intervals as bands, lighter the wider they are. The map's
   chart and the profiles draw it; both put the numbers in their tables, marked as projected.
   Texts come from Django's JavaScript catalogue, loaded before the page's modules. */
import { escapeHtml, fill } from "./escape.js";

const { gettext } = window.django;

export const fanText = {
  projection: gettext("Vorausberechnung"),
  median: gettext("{name}: Vorausberechnung (Median)"),
  band: gettext("{level}-%-Intervall der Vorausberechnung"),
  cell: gettext("{median} (80 %: {low80}–{high80}; 95 %: {low95}–{high95})"),
  year: gettext("{year} (Vorausberechnung)"),
  note: gettext(
    "Ab {year} Vorausberechnung: Median (gestrichelt) und 50-, 80- und 95-%-Intervalle der Simulationen, Szenario {scenario}. Die Intervalle verschiedener Gebiete lassen sich nicht addieren.",
  ),
  demo: gettext("Demodaten: Die Vorausberechnung rechnet mit synthetischen Werten."),
  small: gettext("{names}: weniger als 5.000 Einwohner, grobe Vorausberechnung."),
  method: gettext("Wie die Vorausberechnung entsteht"),
  label: gettext("ab {year} Vorausberechnung mit Intervallen"),
  png: gettext("Ab {year} Vorausberechnung (Median und Intervalle), Szenario {scenario}; Methode: {url}"),
  pngDemo: gettext("Ab {year} Vorausberechnung aus Demodaten (Median und Intervalle), Szenario {scenario}; Methode: {url}"),
};

export const SCENARIO_NAMES = {
  trend: gettext("Trend"),
  "zuwanderung-niedrig": gettext("Zuwanderung niedrig"),
  "zuwanderung-hoch": gettext("Zuwanderung hoch"),
  "geburten-niedrig": gettext("Geburten niedrig"),
  "geburten-hoch": gettext("Geburten hoch"),
  wohnungsbau: gettext("Wohnungsbau"),
};

export const scenarioName = (slug) => SCENARIO_NAMES[slug] || slug;

// The bands from the widest (drawn first, lightest) to the narrowest.
const BANDS = [
  { level: 95, low: "q025", high: "q975", alpha: "1f" },
  { level: 80, low: "q10", high: "q90", alpha: "38" },
  { level: 50, low: "q25", high: "q75", alpha: "5c" },
];

// The last observed point with a number: the fan opens from it.
function lastObserved(points) {
  const shown = points.filter((p) => p.value !== null && p.value !== undefined);
  return shown.length ? shown[shown.length - 1] : null;
}

/* The traces of one area's fan: ``points`` its observed series, ``projected`` its projected
   quantiles, ``colour`` a hex colour (#rrggbb). Only ``legend`` puts the bands in the legend
   (once per chart). */
export function fanTraces({ name, points, projected, colour, legend, dash = "dash" }) {
  const start = lastObserved(points);
  const years = [...(start ? [start.year] : []), ...projected.map((p) => p.year)];
  const field = (key) => [...(start ? [start.value] : []), ...projected.map((p) => p[key])];
  const traces = BANDS.map((band) => ({
    x: [...years, ...years.slice().reverse()],
    y: [...field(band.high), ...field(band.low).reverse()],
    fill: "toself",
    fillcolor: `${colour}${band.alpha}`,
    line: { width: 0 },
    hoverinfo: "skip",
    name: escapeHtml(fill(fanText.band, { level: band.level })),
    legendgroup: `band-${band.level}`,
    showlegend: Boolean(legend),
    type: "scatter",
    meta: { projection: "band", level: band.level },
  }));
  traces.push({
    x: years,
    y: field("median"),
    name: escapeHtml(fill(fanText.median, { name })),
    type: "scatter",
    mode: "lines",
    line: { color: colour, width: 2, dash },
    meta: { projection: "median" },
  });
  return traces;
}

// Where the projection starts: a thin line between the last observed and the first
// projected year, and the word above the projected part.
export function projectionMarks(projection) {
  const x = projection.base_year + 0.5;
  return {
    shapes: [
      {
        type: "line", x0: x, x1: x, yref: "paper", y0: 0, y1: 1,
        line: { color: "#737373", width: 1, dash: "dot" },
      },
    ],
    annotations: [
      {
        x, y: 1, xref: "x", yref: "paper", xanchor: "left", yanchor: "bottom",
        text: escapeHtml(`${fanText.projection} →`), showarrow: false,
        font: { size: 12, color: "#4d4d4d" },
      },
    ],
  };
}

// A table cell of a projected year: the median with its 80 and 95 % intervals.
export function projectedCell(point, format) {
  if (!point) return "–";
  // A narrow cell breaks only between the median and the intervals, and between the two.
  return keepTogether(fill(fanText.cell, {
    median: format(point.median),
    low80: format(point.q10),
    high80: format(point.q90),
    low95: format(point.q025),
    high95: format(point.q975),
  }));
}

function keepTogether(cell) {
  return cell
    .replace(/ /g, "\u00a0")
    .replace(/–/g, "\u2060–\u2060")
    .replace(/;\u00a0/g, "; ")
    .replace(/^(\S+)\u00a0\(/, "$1 (");
}

// The paragraph under a chart with a projection: what the fan shows, the scenario, the demo
// mark, the small areas among ``names`` (code → name), and the link to the method.
export function projectionNote(projection, names) {
  const note = document.createElement("p");
  note.className = "projection-note";
  const small = Object.entries(projection.small)
    .filter(([code, flagged]) => flagged && names[code])
    .map(([code]) => names[code]);
  const parts = [
    fill(fanText.note, { year: projection.base_year + 1, scenario: scenarioName(projection.scenario) }),
    projection.is_demo ? fanText.demo : "",
    small.length ? fill(fanText.small, { names: small.join(", ") }) : "",
  ].filter(Boolean);
  note.append(`${parts.join(" ")} `);
  const link = document.createElement("a");
  link.href = projection.method_url;
  link.textContent = fanText.method;
  note.append(link);
  return note;
}

// The line a saved image carries about the projection, with the method's full address.
export function projectionLine(projection) {
  return fill(projection.is_demo ? fanText.pngDemo : fanText.png, {
    year: projection.base_year + 1,
    scenario: scenarioName(projection.scenario),
    url: new URL(projection.method_url, window.location.href).href,
  });
}
