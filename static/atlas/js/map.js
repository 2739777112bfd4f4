/* Map explorer: boundaries are fetched once per level, values per indicator and year. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("atlas-config").textContent);
  const text = JSON.parse(document.getElementById("atlas-i18n").textContent);
  const numberFormat = (decimals) =>
    new Intl.NumberFormat(text.locale, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
  const SUPPRESSED_FILL = "#bdbdbd";
  const MISSING_FILL = "#ffffff";

  let map = null;
  let layer = null;
  let values = null;
  const boundaries = {};

  function escapeHtml(value) {
    const span = document.createElement("span");
    span.textContent = String(value);
    return span.innerHTML;
  }

  function formatValue(row, fmt) {
    if (row === null || row === undefined || row.status === null) return "–";
    if (row.value === null) return row.status;
    return fmt.format(row.value);
  }

  function styleFor(feature) {
    const row = values && values.byCode[feature.properties.code];
    const base = { color: "#333333", weight: 1, opacity: 1, fillOpacity: 0.85 };
    if (!row || row.status === null) return { ...base, fillColor: MISSING_FILL, dashArray: "3 3" };
    if (row.value === null) return { ...base, fillColor: SUPPRESSED_FILL, dashArray: "2 4" };
    return { ...base, fillColor: values.data.classes.colors[row.class] };
  }

  async function fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    return response.json();
  }

  async function loadBoundaries(level) {
    if (!boundaries[level]) {
      boundaries[level] = fetchJson(`${config.districtsUrl}?level=${encodeURIComponent(level)}`);
    }
    return boundaries[level];
  }

  async function loadValues() {
    const params = new URLSearchParams({ indicator: config.indicator, level: config.level });
    if (config.year) params.set("year", config.year);
    const data = await fetchJson(`${config.valuesUrl}?${params}`);
    const byCode = {};
    for (const row of data.values) byCode[row.code] = row;
    return { data, byCode };
  }

  function renderYears(data) {
    const select = document.getElementById("year");
    select.replaceChildren(
      ...data.years.map((year) => new Option(String(year), String(year), false, year === data.year)),
    );
  }

  function renderLegend(data) {
    const legend = document.getElementById("legend");
    const fmt = numberFormat(data.decimals);
    const unit = text.locale.startsWith("de") ? data.unit_de : data.unit_en || data.unit_de;
    const items = [];
    if (data.classes) {
      let lower = data.classes.lower;
      data.classes.breaks.forEach((upper, i) => {
        items.push(
          `<li><span class="swatch" style="background:${data.classes.colors[i]}"></span>` +
            `${fmt.format(lower)} – ${fmt.format(upper)} <span class="count">(${data.classes.counts[i]})</span></li>`,
        );
        lower = upper;
      });
    }
    const suppressed = data.values.filter((r) => r.status !== null && r.value === null).length;
    const missing = data.values.filter((r) => r.status === null).length;
    items.push(
      `<li><span class="swatch swatch-suppressed"></span>${text.suppressed} <span class="count">(${suppressed})</span></li>`,
    );
    if (missing) {
      items.push(
        `<li><span class="swatch swatch-missing"></span>${text.missing} <span class="count">(${missing})</span></li>`,
      );
    }
    const city = data.city ? `<p class="city-value">${text.city}: <strong>${formatValue(data.city, fmt)}</strong> ${escapeHtml(unit)}</p>` : "";
    legend.innerHTML = `<h2>${text.legend}</h2><p class="unit">${escapeHtml(unit)}</p><ul>${items.join("")}</ul>${city}`;
  }

  function renderTable(data) {
    const fmt = numberFormat(data.decimals);
    const body = document.querySelector("#values-table tbody");
    const rows = data.values.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.code = row.code;
      for (const [content, cls] of [[row.code, ""], [row.name, ""], [formatValue(row, fmt), "num"]]) {
        const td = document.createElement("td");
        td.textContent = content;
        if (cls) td.className = cls;
        tr.append(td);
      }
      return tr;
    });
    body.replaceChildren(...rows);
    const name = document.getElementById("indicator-name");
    const unit = text.locale.startsWith("de") ? data.unit_de : data.unit_en || data.unit_de;
    document.getElementById("table-caption").textContent = text.caption
      .replace("{indicator}", name ? name.textContent : data.indicator)
      .replace("{year}", data.year)
      .replace("{unit}", unit);
  }

  function tooltipFor(feature) {
    const row = values.byCode[feature.properties.code];
    const fmt = numberFormat(values.data.decimals);
    return `<strong>${escapeHtml(feature.properties.name)}</strong><br>${formatValue(row, fmt)}`;
  }

  async function repaint() {
    const status = document.getElementById("map-status");
    try {
      const [geojson, loaded] = await Promise.all([loadBoundaries(config.level), loadValues()]);
      values = loaded;
      config.year = String(loaded.data.year);
      renderYears(loaded.data);
      renderLegend(loaded.data);
      renderTable(loaded.data);
      if (!layer) {
        layer = L.geoJSON(geojson, {
          renderer: L.canvas(),
          style: styleFor,
          onEachFeature: (feature, featureLayer) =>
            featureLayer.bindTooltip(() => tooltipFor(feature), { sticky: true }),
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      } else {
        layer.setStyle(styleFor);
      }
      const drawn = layer.getLayers().length;
      map.getContainer().dataset.drawn = String(drawn);
      status.textContent = text.drawn.replace("{n}", drawn);
    } catch (error) {
      status.textContent = text.error;
      throw error;
    }
  }

  function pushState() {
    const params = new URLSearchParams({ indicator: config.indicator, year: config.year });
    history.replaceState(null, "", `?${params}`);
  }

  window.atlasMapInit = function (leafletMap) {
    map = leafletMap;
    // Fractional zoom lets a city fill the map instead of the next smaller whole zoom level.
    map.options.zoomSnap = 0.25;
    document.getElementById("map-status").textContent = text.loading;
    document.getElementById("indicator").addEventListener("change", (event) => {
      // A new indicator changes name, definition and unit too: reload the page for them.
      const params = new URLSearchParams({ indicator: event.target.value, year: config.year });
      window.location.search = params.toString();
    });
    document.getElementById("year").addEventListener("change", (event) => {
      config.year = event.target.value;
      pushState();
      repaint();
    });
    repaint();
  };
})();
