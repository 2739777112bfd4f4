/* Charts beside the map: time series, comparison, ranking and scatter. Plotly is loaded only
   when a chart is first shown; every chart is followed by a table of its data. Plotly reads a
   little markup in every text it draws (names, titles, hover labels): those texts pass through
   escapeHtml, the tables below take the same text as DOM text. */
import { escapeHtml, fill } from "./escape.js";
import { failureText, fetchJson as fetchPatientJson, waitingText } from "./fetching.js";
import { choiceOf, onState } from "./map/state.js";
import { text } from "./map/text.js";
import {
  fanText, fanTraces, projectedCell, projectionLine, projectionMarks, projectionNote,
} from "./fan.js";

(function () {
  "use strict";

  const CITY_COLOUR = "#1a1a1a";
  // Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
  const SERIES_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];

  let state = null;
  let plotly = null;
  let catalogue = null;
  let drawing = 0;
  let drawnProjection = null; // the projection the series chart shows, for its PNG

  const chartDiv = document.getElementById("chart");
  const status = document.getElementById("chart-status");
  const tableDiv = document.getElementById("chart-table");
  const chartTitle = document.getElementById("chart-title");
  const pngButton = document.getElementById("chart-png");
  const pickButton = document.getElementById("chart-pick");
  const scatterRow = document.getElementById("scatter-row");
  const scatterSelect = document.getElementById("scatter-y");
  const bandRow = document.getElementById("band-row");
  const bandBox = document.getElementById("band");

  const german = () => text.locale.startsWith("de");
  const numberFormat = (decimals) =>
    new Intl.NumberFormat(text.locale, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });

  function loadPlotly(url) {
    if (!plotly) {
      plotly = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = url;
        script.onload = () => resolve(window.Plotly);
        script.onerror = () => {
          // Not kept: the next chart asked for tries again (a phone's connection comes back).
          plotly = null;
          script.remove();
          reject(new Error("plotly"));
        };
        document.head.append(script);
      });
    }
    return plotly;
  }

  // Answers are kept for the page's life, as the map keeps its files: a time series is the
  // same in every year the map steps through, and a visitor playing the years with a chart
  // open would otherwise ask for it again each second, towards the API's rate limit. A
  // request that waits out that limit says so in the chart's status line.
  const answers = new Map();

  function fetchUrl(url) {
    if (!answers.has(url)) {
      const answer = fetchPatientJson(url, {
        onWait: (seconds) => {
          status.textContent = waitingText(seconds);
        },
      });
      answers.set(url, answer);
      answer.catch(() => answers.delete(url));
    }
    return answers.get(url);
  }

  const fetchJson = (url, params) => fetchUrl(`${url}?${new URLSearchParams(params)}`);

  // The other indicator's values from the map's published file where there is one (the API's
  // body plus classifications), else from the API.
  async function valuesOf(config, indicator, year) {
    const query = { indicator, level: config.level, year, ...(config.within ? { within: config.within } : {}) };
    if (config.dataUrl) {
      const name = config.within ? `${year}-in-${config.within}` : String(year);
      const parts = [indicator, config.level, name].map((part) => encodeURIComponent(part));
      try {
        return await fetchUrl(`${config.dataUrl}values/${parts.join("/")}.json`);
      } catch (error) {
        // No file (no values that year, say): the API's answer carries the reason.
      }
    }
    return fetchJson(config.valuesUrl, query);
  }

  function unitOf(data) {
    return german() ? data.unit_de : data.unit_en || data.unit_de;
  }

  function nameOf(indicator) {
    return german() ? indicator.name_de : indicator.name_en || indicator.name_de;
  }

  function baseLayout(title, unit) {
    return {
      // The title stands above the chart as text, where it wraps on narrow screens.
      meta: { title },
      // A height of its own: left to the container, a redraw after the selection changed
      // read the emptied container's 0 and the chart collapsed over what follows it.
      height: 420,
      separators: german() ? ",." : ".,",
      margin: { l: 60, r: 20, t: 20, b: 50 },
      font: { family: "system-ui, sans-serif", size: 13, color: "#1a1a1a" },
      yaxis: { title: { text: escapeHtml(unit) }, automargin: true },
      xaxis: { automargin: true },
      legend: { orientation: "h", y: -0.2 },
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff",
    };
  }

  // ``projected``: rows of projected years after the observed ones, marked as such.
  function renderTable(caption, head, rows, projected = [], note = null) {
    const table = document.createElement("table");
    table.className = "values-table";
    const cap = document.createElement("caption");
    cap.textContent = caption;
    table.append(cap);
    const thead = table.createTHead().insertRow();
    head.forEach((label, i) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      if (i > 0) th.className = "num";
      thead.append(th);
    });
    const body = table.createTBody();
    const marked = rows.map((cells) => [cells, false]).concat(projected.map((cells) => [cells, true]));
    for (const [cells, isProjected] of marked) {
      const tr = body.insertRow();
      if (isProjected) tr.className = "projected";
      cells.forEach((content, i) => {
        const cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) cell.scope = "row";
        else cell.className = "num";
        cell.textContent = content;
        tr.append(cell);
      });
    }
    // A wide table (a projection's intervals, six areas) scrolls in its own box on a phone,
    // reached by keyboard and named by its caption.
    const frame = document.createElement("div");
    frame.className = "table-scroll";
    frame.setAttribute("role", "region");
    frame.tabIndex = 0;
    frame.setAttribute("aria-label", caption);
    frame.append(table);
    tableDiv.replaceChildren(...(note ? [note] : []), frame);
  }

  const shown = (row, fmt) => {
    if (!row || row.status === null || row.status === undefined) return "–";
    if (row.value === null) return row.status;
    const mark = text.marks[row.status];
    return (row.approximate ? "≈ " : "") + fmt.format(row.value) + (mark ? ` ${mark.symbol}` : "");
  };

  // -- the four charts -------------------------------------------------------------------

  // The chosen areas' names: the table's areas, and the Stadtbezirk chosen in its own view.
  function namesOf(config, data) {
    const names = Object.fromEntries(data.values.map((row) => [row.code, row.name]));
    if (data.within_value && config.within) names[`stadtbezirk:${config.within}`] = data.within_value.name;
    return names;
  }

  // The time series of the chosen areas, one request per level (the table's, and another for
  // the Stadtbezirk chosen in its view), by the chosen entry; with the projected years where
  // the indicator has them (``projection``: the answer's, ``projected``: by chosen entry).
  async function seriesOf(config, indicator) {
    const byLevel = new Map();
    for (const chosen of config.selection) {
      const { level, code } = choiceOf(chosen);
      if (!byLevel.has(level)) byLevel.set(level, []);
      byLevel.get(level).push([chosen, code]);
    }
    const scenario = config.scenario ? { scenario: config.scenario } : {};
    const answers = await Promise.all(
      [...byLevel].map(([level, pairs]) =>
        fetchJson(config.seriesUrl, {
          indicator, level, codes: pairs.map(([, code]) => code).join(","), ...scenario,
        }),
      ),
    );
    const series = {};
    const projected = {};
    let projection = null;
    [...byLevel.values()].forEach((pairs, i) => {
      const answer = answers[i];
      for (const [chosen, code] of pairs) {
        if (answer.series[code]) series[chosen] = answer.series[code];
        if (answer.projection && answer.projection.series[code]) {
          projected[chosen] = answer.projection.series[code];
          projection = projection || answer.projection;
        }
      }
    });
    return { series, projected, projection };
  }

  // A projected count of people: the areas and their fans in the chart; the city, many times
  // larger, would flatten them and stands in the table only.
  async function seriesChart(config, data) {
    if (!config.selection.length) return { message: text.pickOne };
    const indicator = config.indicator;
    const scenario = config.scenario ? { scenario: config.scenario } : {};
    const [chosen, city] = await Promise.all([
      seriesOf(config, indicator),
      data.city
        ? fetchJson(config.seriesUrl, { indicator, level: "stadt", codes: data.city.code, ...scenario })
        : Promise.resolve({ series: {}, projection: null }),
    ]);
    const { series, projected, projection } = chosen;
    const names = namesOf(config, data);
    const lines = config.selection
      .filter((code) => series[code])
      .map((code, i) => ({
        name: names[code] || code, points: series[code], colour: SERIES_COLOURS[i],
        projected: projected[code] || null, code,
      }));
    if (data.city && city.series[data.city.code]) {
      const cityProjected = city.projection && city.projection.series[data.city.code];
      lines.push({
        name: text.city, points: city.series[data.city.code], colour: CITY_COLOUR, city: true,
        projected: cityProjected || null, code: "stadt", inTableOnly: Boolean(projection),
      });
    }
    const traces = [];
    let fans = 0;
    for (const line of lines.filter((l) => !l.inTableOnly)) {
      if (bandBox.checked) {
        const banded = line.points.filter((p) => p.ci_low !== null && p.ci_high !== null);
        if (banded.length) {
          traces.push({
            x: [...banded.map((p) => p.year), ...banded.map((p) => p.year).reverse()],
            y: [...banded.map((p) => p.ci_high), ...banded.map((p) => p.ci_low).reverse()],
            fill: "toself",
            fillcolor: `${line.colour}33`,
            line: { width: 0 },
            hoverinfo: "skip",
            showlegend: false,
            type: "scatter",
          });
        }
      }
      traces.push({
        x: line.points.map((p) => p.year),
        y: line.points.map((p) => p.value),
        name: escapeHtml(line.name),
        type: "scatter",
        mode: "lines+markers",
        line: { color: line.colour, width: line.city ? 3 : 2, dash: line.city ? "dash" : "solid" },
      });
      if (line.projected) {
        traces.push(...fanTraces({ ...line, legend: fans === 0 }));
        fans += 1;
      }
    }
    const fmt = numberFormat(data.decimals);
    const years = [...new Set(lines.flatMap((line) => line.points.map((p) => p.year)))].sort();
    const rows = years.map((year) => [
      String(year),
      ...lines.map((line) => shown(line.points.find((p) => p.year === year), fmt)),
    ]);
    const ahead = [...new Set(lines.flatMap((line) => (line.projected || []).map((p) => p.year)))]
      .filter((year) => !years.includes(year))
      .sort();
    const projectedRows = ahead.map((year) => [
      fill(fanText.year, { year }),
      ...lines.map((line) => projectedCell((line.projected || []).find((p) => p.year === year), (v) => fmt.format(v))),
    ]);
    // Levels, also on a map of changes: the indicator's own unit, not the change's.
    const layout = baseLayout(text.charts.series, config.unit || unitOf(data));
    layout.xaxis.title = { text: escapeHtml(text.year) };
    layout.xaxis.tickformat = "d";
    if (projection) Object.assign(layout, projectionMarks(projection));
    const areaNames = Object.fromEntries(lines.map((line) => [line.code, line.name]));
    return {
      traces,
      layout,
      lines: lines.filter((l) => !l.inTableOnly).length,
      table: [text.charts.series, [text.year, ...lines.map((line) => line.name)], rows, projectedRows],
      projection,
      fanNote: projection ? projectionNote(projection, areaNames) : null,
    };
  }

  async function compareChart(config, data) {
    if (config.selection.length < 2) return { message: text.pickTwo };
    const fmt = numberFormat(data.decimals);
    const names = namesOf(config, data);
    const rowOf = (chosen) =>
      chosen.includes(":")
        ? data.within_value && names[chosen] && { ...data.within_value, name: names[chosen] }
        : data.values.find((row) => row.code === chosen);
    const rows = config.selection.map(rowOf).filter(Boolean);
    if (data.city) rows.push({ ...data.city, name: text.city, city: true });
    const withValue = rows.filter((row) => row.value !== null);
    const trace = {
      type: "bar",
      x: withValue.map((row) => escapeHtml(row.name)),
      y: withValue.map((row) => row.value),
      marker: { color: withValue.map((row, i) => (row.city ? CITY_COLOUR : SERIES_COLOURS[i])) },
      error_y: {
        type: "data",
        symmetric: false,
        array: withValue.map((row) => (row.ci_high === null ? 0 : row.ci_high - row.value)),
        arrayminus: withValue.map((row) => (row.ci_low === null ? 0 : row.value - row.ci_low)),
        color: "#555555",
      },
      hovertemplate: "%{x}: %{y}<extra></extra>",
    };
    // Side by side: every indicator of the theme for the chosen areas, from their profiles.
    catalogue = catalogue || (await fetchJson(config.indicatorsUrl, {}));
    const current = catalogue.indicators.find((i) => i.slug === config.indicator);
    const siblings = catalogue.indicators.filter((i) => current && i.theme === current.theme);
    const profiles = await Promise.all(
      config.selection.map((chosen) =>
        fetchJson(config.profileApiUrl, { ...choiceOf(chosen), year: data.year }),
      ),
    );
    const byIndicator = (profile, slug) => profile.indicators.find((row) => row.indicator === slug);
    const tableRows = siblings.map((indicator) => {
      const f = numberFormat(indicator.decimals);
      const rowsOf = profiles.map((p) => byIndicator(p, indicator.slug));
      const city = rowsOf.find(Boolean);
      return [
        `${nameOf(indicator)} (${german() ? indicator.unit_de : indicator.unit_en || indicator.unit_de})`,
        ...rowsOf.map((row) => shown(row && row.value, f)),
        shown(city && city.city, f),
      ];
    });
    const layout = baseLayout(`${text.charts.compare} (${data.year})`, unitOf(data));
    layout.showlegend = false;
    return {
      traces: [trace],
      layout,
      table: [
        `${text.charts.compare} (${data.year})`,
        [text.indicator, ...profiles.map((p) => p.name), text.city],
        tableRows,
      ],
      note: rows.map((row) => `${row.name}: ${shown(row, fmt)}`).join(" · "),
    };
  }

  function rankingChart(config, data) {
    const fmt = numberFormat(data.decimals);
    const rows = data.values.filter((row) => row.value !== null).sort((a, b) => b.value - a.value);
    const colours = data.classes ? data.classes.colors : [];
    const trace = {
      type: "bar",
      orientation: "h",
      y: rows.map((row) => escapeHtml(row.name)),
      x: rows.map((row) => row.value),
      marker: {
        color: rows.map((row) => (row.class === null ? "#bdbdbd" : colours[row.class])),
        line: {
          color: rows.map((row) => (config.selection.includes(row.code) ? "#000000" : "#555555")),
          width: rows.map((row) => (config.selection.includes(row.code) ? 3 : 0.5)),
        },
      },
      hovertemplate: "%{y}: %{x}<extra></extra>",
    };
    const title = data.from
      ? `${text.charts.ranking} (${data.from}–${data.year})`
      : `${text.charts.ranking} (${data.year})`;
    const layout = baseLayout(title, "");
    layout.yaxis = { autorange: "reversed", automargin: true };
    layout.xaxis = { title: { text: escapeHtml(unitOf(data)) }, automargin: true };
    layout.height = Math.max(260, 26 * rows.length + 110);
    layout.showlegend = false;
    if (data.city && data.city.value !== null) {
      layout.shapes = [
        {
          type: "line",
          x0: data.city.value,
          x1: data.city.value,
          yref: "paper",
          y0: 0,
          y1: 1,
          line: { color: CITY_COLOUR, width: 2, dash: "dash" },
        },
      ];
      layout.annotations = [
        {
          x: data.city.value,
          y: 1,
          yref: "paper",
          yanchor: "bottom",
          text: escapeHtml(`${text.city}: ${fmt.format(data.city.value)}`),
          showarrow: false,
        },
      ];
    }
    const tableRows = rows.map((row, i) => [row.name, String(i + 1), shown(row, fmt)]);
    const withheld = data.values.filter((row) => row.value === null);
    for (const row of withheld) tableRows.push([row.name, "", shown(row, fmt)]);
    return {
      traces: [trace],
      layout,
      table: [title, [text.area, text.rankLabel, `${text.value} (${unitOf(data)})`], tableRows],
    };
  }

  async function scatterChart(config, data) {
    const other = scatterSelect.value;
    let y;
    try {
      y = await valuesOf(config, other, data.year);
    } catch (error) {
      const label = scatterSelect.options[scatterSelect.selectedIndex].text;
      return { message: fill(text.noCommon, { indicator: label, year: data.year }) };
    }
    const yLabel = scatterSelect.options[scatterSelect.selectedIndex].text;
    const xLabel = document.getElementById("indicator-name").textContent;
    const yByCode = Object.fromEntries(y.values.map((row) => [row.code, row]));
    const pairs = data.values
      .map((row) => [row, yByCode[row.code]])
      .filter(([a, b]) => b && a.value !== null && b.value !== null);
    const trace = {
      type: "scatter",
      mode: "markers+text",
      x: pairs.map(([a]) => a.value),
      y: pairs.map(([, b]) => b.value),
      // Names on the chart only for the chosen areas; every name is in the hover and table.
      text: pairs.map(([a]) => (config.selection.includes(a.code) ? escapeHtml(a.name) : "")),
      hovertext: pairs.map(([a]) => escapeHtml(a.name)),
      textposition: "top center",
      textfont: { size: 10, color: "#333333" },
      marker: {
        size: 10,
        color: pairs.map(([a]) => (config.selection.includes(a.code) ? "#d55e00" : "#0072b2")),
        line: { color: "#ffffff", width: 1 },
      },
      hovertemplate: "%{hovertext}<br>%{x} / %{y}<extra></extra>",
    };
    const title = `${text.charts.scatter} (${data.year})`;
    const layout = baseLayout(title, `${yLabel} (${unitOf(y)})`);
    layout.xaxis.title = { text: escapeHtml(`${xLabel} (${unitOf(data)})`) };
    layout.showlegend = false;
    const fx = numberFormat(data.decimals);
    const fy = numberFormat(y.decimals);
    const rows = data.values.map((row) => [row.name, shown(row, fx), shown(yByCode[row.code], fy)]);
    return { traces: [trace], layout, table: [title, [text.area, xLabel, yLabel], rows] };
  }

  const CHARTS = { series: seriesChart, compare: compareChart, ranking: rankingChart, scatter: scatterChart };

  // -- drawing ---------------------------------------------------------------------------

  function clear() {
    if (window.Plotly) window.Plotly.purge(chartDiv);
    chartDiv.replaceChildren();
    chartDiv.removeAttribute("role");
    chartDiv.removeAttribute("aria-label");
    tableDiv.replaceChildren();
    chartTitle.textContent = "";
    chartTitle.hidden = true;
    pngButton.hidden = true;
    pickButton.hidden = true;
    status.textContent = "";
  }

  // The areas a chart that needs chosen areas could start with: in a Stadtbezirk's view its
  // own (the six with the highest values, where it has more), else the city's three highest.
  function suggestion(config, data) {
    const rows = data.values.filter((row) => row.value !== null).sort((a, b) => b.value - a.value);
    const bezirk = config.within && config.withinName;
    const codes = rows.slice(0, bezirk ? 6 : 3).map((row) => row.code);
    if (codes.length < 2) return null;
    let label = fill(text.pickTop, { n: codes.length });
    if (bezirk) {
      const all = codes.length === rows.length;
      label = fill(all ? text.pickBezirk : text.pickBezirkTop, { n: codes.length, name: bezirk });
    }
    return { codes, label };
  }

  function offerAreas(config, data) {
    const offer = suggestion(config, data);
    if (!offer) return;
    pickButton.textContent = offer.label;
    pickButton.dataset.codes = offer.codes.join(",");
    pickButton.hidden = false;
  }

  async function draw() {
    const config = state.config;
    const chart = config.chart;
    for (const button of document.querySelectorAll(".chart-tabs button")) {
      button.setAttribute("aria-pressed", String(button.dataset.chart === chart));
    }
    scatterRow.hidden = chart !== "scatter";
    bandRow.hidden = chart !== "series";
    if (!chart || !CHARTS[chart] || !state.values) return clear();
    const ticket = ++drawing;
    status.textContent = text.chartLoading;
    const [Plotly, result] = await Promise.all([
      loadPlotly(config.plotlyUrl),
      CHARTS[chart](config, state.values),
    ]);
    if (ticket !== drawing) return; // a newer state has been drawn meanwhile
    if (result.message) {
      clear();
      status.textContent = result.message;
      offerAreas(config, state.values);
      return;
    }
    // No mode bar: its buttons would sit inside the chart's image role; the PNG button below
    // saves the chart, and the table gives every value.
    await Plotly.react(chartDiv, result.traces, result.layout, {
      displayModeBar: false,
      responsive: true,
    });
    chartDiv.setAttribute("role", "img");
    const ahead = result.projection ? `; ${fill(fanText.label, { year: result.projection.base_year + 1 })}` : "";
    chartDiv.setAttribute("aria-label", `${result.layout.meta.title}${ahead}. ${text.chartLabel}`);
    chartTitle.textContent = result.layout.meta.title;
    chartTitle.hidden = !chartTitle.textContent;
    // The lines drawn: the areas (and the city), not the bands and projected parts.
    chartDiv.dataset.series = String(result.lines ?? result.traces.filter((t) => t.showlegend !== false).length);
    drawnProjection = result.projection || null;
    chartDiv.dataset.projection = result.projection ? String(result.projection.base_year) : "";
    const [caption, head, rows, projected = []] = result.table;
    renderTable(caption, head, rows, projected, result.fanNote || null);
    pickButton.hidden = true;
    pngButton.hidden = false;
    status.textContent = "";
  }

  // Drawing that fails (the data or Plotly not loaded) says so in the chart's status line.
  function redraw() {
    draw().catch((error) => {
      status.textContent = failureText(error, text.error);
    });
  }

  function choose(chart) {
    state.config.chart = state.config.chart === chart ? "" : chart;
    const scatter = state.config.chart === "scatter" ? scatterSelect.value : "";
    state.config.scatter = scatter;
    document.dispatchEvent(
      new CustomEvent("atlas:chart", { detail: { chart: state.config.chart, scatter } }),
    );
    redraw();
  }

  for (const button of document.querySelectorAll(".chart-tabs button")) {
    button.addEventListener("click", () => choose(button.dataset.chart));
  }
  scatterSelect.addEventListener("change", () => {
    state.config.scatter = scatterSelect.value;
    document.dispatchEvent(
      new CustomEvent("atlas:chart", { detail: { chart: "scatter", scatter: scatterSelect.value } }),
    );
    redraw();
  });
  bandBox.addEventListener("change", redraw);
  pickButton.addEventListener("click", () => {
    const codes = pickButton.dataset.codes.split(",");
    document.dispatchEvent(new CustomEvent("atlas:select", { detail: { codes } }));
  });
  // What a saved chart says of itself, as it travels without the page: title, indicator and
  // unit, the chosen areas, source, the publication its numbers come from, and the date.
  function imageTexts() {
    const config = state.config;
    const day = (iso) =>
      new Intl.DateTimeFormat(text.locale, { dateStyle: "medium" }).format(iso ? new Date(iso) : new Date());
    const indicator = document.getElementById("indicator-name").textContent.trim();
    const unit = config.chart === "series" ? config.unit || unitOf(state.values) : unitOf(state.values);
    const heading = [chartTitle.textContent, `${indicator} (${unit})`];
    const names = namesOf(config, state.values);
    const chosen = ["series", "compare"].includes(config.chart) ? config.selection.map((c) => names[c] || c) : [];
    const source = document.getElementById("indicator-source");
    const footer = [
      chosen.length ? fill(text.pngAreas, { names: chosen.join(", ") }) : "",
      source ? fill(text.pngSource, { source: source.textContent.trim() }) : "",
      config.releaseDate ? fill(text.pngRelease, { date: day(config.releaseDate) }) : "",
      config.chart === "series" && drawnProjection ? projectionLine(drawnProjection) : "",
      fill(text.pngMade, { date: day(null), atlas: document.querySelector(".site-title").textContent.trim() }),
    ].filter(Boolean);
    return { heading, footer };
  }

  pngButton.addEventListener("click", async () => {
    // The image carries the texts the page shows around the chart.
    const Plotly = window.Plotly;
    const { heading, footer } = imageTexts();
    const layout = chartDiv.layout;
    const before = {
      margin: { ...layout.margin },
      annotations: layout.annotations || [],
      legend: { ...layout.legend },
    };
    // The legend goes up under the title, the footer below the axis title.
    const top = 110;
    const bottom = 40 + 16 * footer.length;
    await Plotly.relayout(chartDiv, {
      title: {
        text: heading.map(escapeHtml).join("<br>"),
        x: 0,
        xanchor: "left",
        xref: "container",
        pad: { l: 12 },
        y: 0.98,
        yanchor: "top",
        yref: "container",
        font: { size: 15 },
      },
      legend: { orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom" },
      "margin.t": top,
      "margin.b": before.margin.b + bottom,
      annotations: [
        ...before.annotations,
        {
          text: footer.map(escapeHtml).join("<br>"),
          xref: "paper",
          yref: "paper",
          x: 0,
          xanchor: "left",
          y: 0,
          yanchor: "top",
          yshift: -before.margin.b - 24,
          align: "left",
          showarrow: false,
          font: { size: 11, color: "#333333" },
        },
      ],
    });
    try {
      await Plotly.downloadImage(chartDiv, {
        format: "png",
        filename: `${state.config.indicator}-${state.config.chart}-${state.values.year}`,
        width: 1000,
        height: Math.max(500, chartDiv.offsetHeight) + top - before.margin.t + bottom,
      });
    } finally {
      await Plotly.relayout(chartDiv, {
        title: { text: "" },
        legend: before.legend,
        "margin.t": before.margin.t,
        "margin.b": before.margin.b,
        annotations: before.annotations,
      });
    }
  });

  onState((event) => {
    state = event.detail;
    if (state.config.scatter) scatterSelect.value = state.config.scatter;
    redraw();
  });
})();
