/* Profile page: a time series of one indicator for the district and the city, on demand.
   Plotly is loaded only when the first chart is asked for. Messages come from Django's
   JavaScript catalogue (the script the page loads first), as the map's do. */
import { escapeHtml, fill } from "./escape.js";
import { fanText, fanTraces, projectedCell, projectionMarks, projectionNote } from "./fan.js";
import { failureText, fetchJson, waitingText } from "./fetching.js";

(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("profile-config").textContent);
  const { gettext } = window.django;
  const text = {
    locale: gettext("de-DE"),
    city: gettext("Stadt"),
    year: gettext("Jahr"),
    interval: gettext("95-%-Konfidenzintervall"),
    tableCaption: gettext("Werte der Zeitreihe"),
    chartLabel: gettext("Zeitreihe im Vergleich zur Stadt; die Werte stehen in der Tabelle"),
    error: gettext("Die Zeitreihe konnte nicht geladen werden."),
    men: gettext("Männer"),
    women: gettext("Frauen"),
    cityMen: gettext("Stadt, Männer"),
    cityWomen: gettext("Stadt, Frauen"),
    share: gettext("Anteil an der Bevölkerung in %"),
    ageGroup: gettext("Altersgruppe"),
  };
  let plotly = null;

  function loadPlotly() {
    if (!plotly) {
      plotly = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = config.plotlyUrl;
        script.onload = () => resolve(window.Plotly);
        script.onerror = reject;
        document.head.append(script);
      });
    }
    return plotly;
  }

  function format(value, decimals) {
    if (value === null || value === undefined) return "–";
    return new Intl.NumberFormat(text.locale, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    }).format(value);
  }

  function cellText(point, decimals) {
    if (!point || point.status === null || point.status === undefined) return "–";
    if (point.value === null) return point.status;
    return format(point.value, decimals);
  }

  // The observed years, then the projected ones (median and intervals), marked as such.
  function table(data, decimals) {
    const own = data.series[config.code] || [];
    const city = data.series.stadt || [];
    const cityAt = (year) => city.find((point) => point.year === year);
    const rows = own.map((point) =>
      `<tr><td>${escapeHtml(point.year)}</td><td class="num">${escapeHtml(cellText(point, decimals))}</td>` +
      `<td class="num">${escapeHtml(cellText(cityAt(point.year), decimals))}</td></tr>`,
    );
    const projection = data.projection;
    const ahead = projection ? projection.series[config.code] || [] : [];
    const cityAhead = projection ? projection.series.stadt || [] : [];
    const formatted = (value) => format(value, decimals);
    for (const point of ahead) {
      const cityPoint = cityAhead.find((p) => p.year === point.year);
      rows.push(
        `<tr class="projected"><td>${escapeHtml(fill(fanText.year, { year: point.year }))}</td>` +
        `<td class="num">${escapeHtml(projectedCell(point, formatted))}</td>` +
        `<td class="num">${escapeHtml(projectedCell(cityPoint, formatted))}</td></tr>`,
      );
    }
    const wide = ahead.length ? " projected-table" : "";
    return `<table class="values-table${wide}"><caption>${escapeHtml(text.tableCaption)}</caption>` +
      `<thead><tr><th scope="col">${escapeHtml(text.year)}</th><th scope="col" class="num">` +
      `${escapeHtml(config.name)}</th><th scope="col" class="num">${escapeHtml(text.city)}</th></tr></thead>` +
      `<tbody>${rows.join("")}</tbody></table>`;
  }

  async function show(button) {
    const target = document.getElementById(button.getAttribute("aria-controls"));
    const open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", String(!open));
    target.hidden = open;
    if (open || target.dataset.drawn) return;
    const params = new URLSearchParams({
      indicator: button.dataset.indicator, level: config.level, codes: config.code,
    });
    // A wait for the API's rate limit, or a failure, is said where the chart will be.
    const said = (message) => {
      const line = document.createElement("p");
      line.className = "chart-status";
      line.setAttribute("role", "status");
      line.textContent = message;
      target.replaceChildren(line);
    };
    let Plotly, data;
    try {
      [Plotly, data] = await Promise.all([
        loadPlotly(),
        fetchJson(`${config.seriesUrl}?${params}`, { onWait: (seconds) => said(waitingText(seconds)) }),
      ]);
    } catch (error) {
      said(failureText(error, text.error));
      return;
    }
    const decimals = Number(button.dataset.decimals);
    const own = data.series[config.code];
    const city = data.series.stadt;
    const years = own.map((p) => p.year);
    // A projected count: the district's fan; the city's count, many times larger, would
    // flatten it and stands in the table only.
    const projection = data.projection && data.projection.series[config.code] ? data.projection : null;
    const traces = [];
    if (own.some((p) => p.ci_low !== null)) {
      traces.push({
        x: [...years, ...years.slice().reverse()],
        y: [...own.map((p) => p.ci_high), ...own.map((p) => p.ci_low).reverse()],
        fill: "toself", fillcolor: "rgba(33,102,172,0.15)", line: { width: 0 },
        hoverinfo: "skip", name: escapeHtml(text.interval), type: "scatter",
      });
    }
    traces.push(
      { x: years, y: own.map((p) => p.value), name: escapeHtml(config.name), type: "scatter",
        mode: "lines+markers", line: { color: "#2166ac" } },
    );
    if (projection) {
      traces.push(...fanTraces({
        name: config.name, points: own, projected: projection.series[config.code],
        colour: "#2166ac", legend: true,
      }));
    } else {
      traces.push({ x: years, y: city.map((p) => p.value), name: escapeHtml(text.city), type: "scatter",
        mode: "lines", line: { color: "#b35806", dash: "dash" } });
    }
    const chart = document.createElement("div");
    chart.className = "chart";
    chart.setAttribute("role", "img");
    const ahead = projection ? `; ${fill(fanText.label, { year: projection.base_year + 1 })}` : "";
    chart.setAttribute("aria-label", `${button.dataset.name}${ahead}: ${text.chartLabel}`);
    target.replaceChildren(chart);
    if (projection) target.append(projectionNote(projection, { [config.code]: config.name }));
    target.insertAdjacentHTML("beforeend", table(data, decimals));
    const layout = {
      margin: { t: projection ? 24 : 10, r: 10, b: 30, l: 50 }, height: projection ? 320 : 260,
      separators: text.locale.startsWith("de") ? ",." : ".,",
      legend: { orientation: "h" }, xaxis: { dtick: projection ? 2 : 1 },
      ...(projection ? projectionMarks(projection) : {}),
    };
    Plotly.newPlot(chart, traces, layout,
      { displayModeBar: false, responsive: true, locale: text.locale.slice(0, 2) });
    target.dataset.drawn = "true";
  }

  document.querySelectorAll("button[data-series]").forEach((button) => {
    button.addEventListener("click", () => show(button));
  });

  /* The population pyramid: men to the left (negative), women to the right, the city's
     shares as a stepped outline. Withheld groups are null and leave a gap. */
  async function drawPyramid(element, data) {
    const Plotly = await loadPlotly();
    const negate = (values) => values.map((v) => (v === null ? null : -v));
    const label = (v) => (v === null ? "." : `${format(Math.abs(v), 1)} %`);
    // Plotly reads markup in names, labels and templates: every text goes in escaped.
    const groups = data.groups.map(escapeHtml);
    const bar = (name, values, shown, color) => ({
      type: "bar", orientation: "h", name: escapeHtml(name), y: groups, x: shown,
      marker: { color }, customdata: values.map(label),
      hovertemplate: `${escapeHtml(name)} %{y}: %{customdata}<extra></extra>`,
    });
    const outline = (name, values, shown, color) => ({
      type: "scatter", mode: "lines", name: escapeHtml(name), y: groups, x: shown,
      line: { color, width: 2, shape: "vhv" }, connectgaps: false,
      customdata: values.map(label),
      hovertemplate: `${escapeHtml(name)} %{y}: %{customdata}<extra></extra>`,
    });
    const traces = [
      bar(text.men, data.men, negate(data.men), "#2166ac"),
      bar(text.women, data.women, data.women, "#b2182b"),
      outline(text.cityMen, data.cityMen, negate(data.cityMen), "#1a1a1a"),
      outline(text.cityWomen, data.cityWomen, data.cityWomen, "#4d4d4d"),
    ];
    const widest = Math.max(
      1, ...[...data.men, ...data.women, ...data.cityMen, ...data.cityWomen].filter((v) => v !== null),
    );
    const step = widest > 12 ? 5 : widest > 6 ? 2 : 1;
    const ticks = [];
    for (let t = -Math.ceil(widest / step) * step; t <= widest + step; t += step) ticks.push(t);
    Plotly.newPlot(element, traces, {
      barmode: "overlay", bargap: 0.1, height: 420,
      margin: { t: 50, r: 10, b: 45, l: 60 },
      separators: text.locale.startsWith("de") ? ",." : ".,",
      // Above the plot, so that it never runs into the axis title on a narrow screen.
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      xaxis: {
        title: { text: escapeHtml(text.share) }, tickvals: ticks,
        ticktext: ticks.map((t) => format(Math.abs(t), 0)), zeroline: true,
      },
      yaxis: { title: { text: escapeHtml(text.ageGroup) }, type: "category" },
    }, { displayModeBar: false, responsive: true, locale: text.locale.slice(0, 2) });
  }

  const pyramidChart = document.getElementById("pyramid-chart");
  if (pyramidChart && config.pyramid) drawPyramid(pyramidChart, config.pyramid);
})();
