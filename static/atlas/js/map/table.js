/* The values as a table beside the map, a page at a time for large levels, with the year
   controls, downloads and embed code that follow what it shows; its rows mark their areas on
   the map and choose areas for the charts. */
import { escapeHtml, fill } from "../escape.js";
import { restyle, leaveMap, showOnMap } from "./drawing.js";
import { markNotes } from "./legend.js";
import {
  comparisonText,
  formatInterval,
  formatOf,
  formatPercent,
  formatValue,
  isSuppressed,
  markOf,
  ranks,
  symbolText,
  unitOf,
} from "./format.js";
import { isProjected, projectedData, projectedRange, projectionTitle, showProjection } from "./projection.js";
import { announce, config, profileUrl, pushState, stateParams, view, withinChoice } from "./state.js";
import { text } from "./text.js";

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

export function setupTablePager() {
  const pager = document.getElementById("table-pager");
  if (!pager) return;
  const turn = (step) => {
    table.page += step;
    if (view.values) renderTable(view.values.data);
  };
  document.getElementById("table-previous").addEventListener("click", () => turn(-1));
  document.getElementById("table-next").addEventListener("click", () => turn(1));
  document.getElementById("table-filter").addEventListener("input", (event) => {
    table.filter = event.target.value;
    table.page = 0;
    if (view.values) renderTable(view.values.data);
  });
}

function renderTable(data) {
  const fmt = formatOf(data);
  const rank = ranks(data);
  const projected = projectedData(data);
  const body = document.querySelector("#values-table tbody.areas");
  const rows = tableRows(data).map((row) => {
    const tr = document.createElement("tr");
    tr.dataset.code = row.code;
    const select = document.createElement("td");
    select.append(choiceBox(row.code, row.name));
    tr.append(select);
    const cells = [
      [row.code, ""],
      [row.name, "name"],
      [formatValue(row, fmt) + formatPercent(row), "num value"],
      [rank.byCode[row.code] ? String(rank.byCode[row.code]) : "", "num"],
      [projected ? projectedRange(row, fmt) : formatInterval(row, fmt), "num"],
      [isSuppressed(row) ? text.suppressed : lastColumn(row), row.verdict || ""],
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
        td.className = "name";
      } else if (cls) {
        td.className = cls;
      }
      tr.append(td);
    }
    return tr;
  });
  body.replaceChildren(...rows);
  renderReference(data, fmt);
  const name = document.getElementById("indicator-name");
  const caption = data.from ? text.changeCaption : text.caption;
  const shown = fill(caption, {
    indicator: name ? name.textContent : data.indicator,
    from: data.from,
    year: data.year,
    unit: unitOf(data),
  });
  document.getElementById("table-caption").textContent = projected
    ? fill(text.projectionCaption, {
        indicator: name ? name.textContent : data.indicator,
        projection: projectionTitle(data),
        unit: unitOf(data),
      })
    : shown;
  renderSelectionStatus();
}

// The comparison with the city, or for a projected area whether it is too small for more than
// a rough projection.
function lastColumn(row) {
  if (row.projected) return row.small ? text.small : "";
  return comparisonText(row);
}

function choiceBox(value, name) {
  const box = document.createElement("input");
  box.type = "checkbox";
  box.className = "select-area";
  box.value = value;
  box.checked = config.selection.includes(value);
  box.setAttribute("aria-label", fill(text.select, { name }));
  return box;
}

// The rows the areas are read against, first and marked, without a rank. The Stadtbezirk's
// own row can be chosen for the charts, to compare it with its areas; the city is in every
// chart that compares already.
function renderReference(data, fmt) {
  const references = [
    [data.within_value, data.within_value && data.within_value.name, withinChoice()],
    [data.city, text.city, null],
  ].filter(([row]) => row);
  const rows = references.map(([row, name, choice]) => {
    const tr = document.createElement("tr");
    tr.className = "reference-row";
    if (choice) tr.dataset.choice = choice;
    const label = document.createElement("th");
    label.scope = "row";
    label.textContent = name;
    const cells = [
      choice ? [choiceBox(choice, name), ""] : ["", ""],
      [row.code || "", ""],
      null,
      [isSuppressed(row) ? symbolText(row) || "." : formatValue(row, fmt) + formatPercent(row), "num value"],
      ["", "num"],
      [row.projected ? projectedRange(row, fmt) : formatInterval(row, fmt), "num"],
      [row.comparison ? comparisonText(row) : text.reference, ""],
    ];
    for (const cell of cells) {
      if (cell === null) {
        tr.append(label);
        continue;
      }
      const td = document.createElement("td");
      if (cell[0] instanceof Node) td.append(cell[0]);
      else td.textContent = cell[0];
      if (cell[1]) td.className = cell[1];
      tr.append(td);
    }
    return tr;
  });
  document.querySelector("#values-table tbody.reference").replaceChildren(...rows);
  const notes = document.getElementById("table-notes");
  if (notes) {
    const shown = markNotes(data);
    notes.textContent = shown.join(" · ");
    notes.hidden = shown.length === 0;
  }
}

function renderYears(data) {
  const select = document.getElementById("year");
  const option = (year) => new Option(String(year), String(year), false, year === data.year);
  const options = data.years.map(option);
  // The projected years after the observed ones, apart and named.
  config.projectedYears = data.projected_years || [];
  if (config.projectedYears.length) {
    const group = document.createElement("optgroup");
    group.label = text.projectionYears;
    group.append(...config.projectedYears.map(option));
    options.push(group);
  }
  select.replaceChildren(...options);
  // A change map runs from an earlier observed year to the shown one, itself observed.
  const from = document.getElementById("from");
  const earlier = isProjected(data.year) ? [] : data.years.filter((year) => year < data.year);
  from.replaceChildren(
    from.options[0],
    ...earlier.map((year) => new Option(String(year), String(year), false, year === data.from)),
  );
}

// The embed code pins the view to today's release: new values do not change it.
export function renderEmbedCode() {
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
  if (projectedData(data)) params.set("scenario", data.projection.scenario);
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

// The level's own values: the year controls, the table and the downloads.
export function showValues(loaded) {
  view.values = loaded;
  config.year = String(loaded.data.year);
  renderYears(loaded.data);
  showProjection(loaded.data);
  renderTable(loaded.data);
  renderDownloads(loaded.data);
  renderEmbedCode();
}

export function setupRowFocus() {
  const body = document.querySelector("#values-table tbody.areas");
  const rowCode = (event) => {
    const row = event.target.closest("tr[data-code]");
    return row ? row.dataset.code : null;
  };
  body.addEventListener("focusin", (event) => showOnMap(rowCode(event)));
  body.addEventListener("mouseover", (event) => showOnMap(rowCode(event)));
  body.addEventListener("focusout", leaveMap);
  body.addEventListener("mouseleave", leaveMap);
}

// Chosen areas from elsewhere on the page (the charts' suggestion): at most six, as by hand.
function selectAreas(codes) {
  config.selection = codes.slice(0, 6);
  for (const box of document.querySelectorAll("#values-table .select-area")) {
    box.checked = config.selection.includes(box.value);
  }
  renderSelectionStatus();
  if (view.layer) restyle();
  pushState();
  announce();
}

export function setupSelection() {
  document.addEventListener("atlas:select", (event) => selectAreas(event.detail.codes));
  document.getElementById("values-table").addEventListener("change", (event) => {
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
    if (view.layer) restyle();
    pushState();
    announce();
  });
}
