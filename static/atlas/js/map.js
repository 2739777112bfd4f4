/* Map explorer: boundaries are fetched once per level, values per indicator and year. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("atlas-config").textContent);
  const text = JSON.parse(document.getElementById("atlas-i18n").textContent);
  const MISSING_FILL = "#ffffff";
  // Withheld values get a hatching, not a colour of the scale (Leaflet's canvas renderer
  // passes fillColor to the canvas as fillStyle, so a pattern works there).
  const SUPPRESSED_FILL = (() => {
    const tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    const ctx = tile.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = "#8c8c8c";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(-2, 10);
    ctx.lineTo(10, -2);
    ctx.stroke();
    return ctx.createPattern(tile, "repeat");
  })();

  let map = null;
  let layer = null;
  let values = null;
  const boundaries = {};

  const numberFormat = (decimals) =>
    new Intl.NumberFormat(text.locale, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });

  function escapeHtml(value) {
    const span = document.createElement("span");
    span.textContent = String(value);
    return span.innerHTML;
  }

  const isSuppressed = (row) => Boolean(row) && row.reason === "disclosure";
  const hasValue = (row) => Boolean(row) && row.value !== null;

  function unitOf(data) {
    return text.locale.startsWith("de") ? data.unit_de : data.unit_en || data.unit_de;
  }

  function formatValue(row, fmt) {
    if (!row || row.status === null) return "–";
    if (row.value === null) return escapeHtml(row.status);
    return (row.approximate ? "≈ " : "") + fmt.format(row.value);
  }

  function formatInterval(row, fmt) {
    if (!row || row.ci_low === null || row.ci_high === null) return "";
    return `${fmt.format(row.ci_low)} – ${fmt.format(row.ci_high)}`;
  }

  function comparisonText(row) {
    if (!row || !row.comparison) return "";
    return text.comparison[row.comparison] || "";
  }

  function styleFor(feature) {
    const row = values && values.byCode[feature.properties.code];
    const base = { color: "#333333", weight: 1, opacity: 1, fillOpacity: 0.85 };
    // In a Bezirk view the districts outside it stay as a dimmed outline for orientation.
    if (config.within && !row) return { ...base, color: "#9e9e9e", fillColor: "#eeeeee", fillOpacity: 0.5 };
    if (isSuppressed(row)) return { ...base, fillColor: SUPPRESSED_FILL, dashArray: "2 4" };
    if (!hasValue(row)) return { ...base, fillColor: MISSING_FILL, dashArray: "3 3" };
    return { ...base, fillColor: values.data.classes.colors[row.class] };
  }

  async function fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    return response.json();
  }

  // Boundaries are fetched once per boundary version, which the values response names.
  async function loadBoundaries(version, url) {
    if (!boundaries[version]) boundaries[version] = fetchJson(url);
    return boundaries[version];
  }

  async function loadValues() {
    const params = new URLSearchParams({ indicator: config.indicator, level: config.level });
    if (config.year) params.set("year", config.year);
    if (config.within) params.set("within", config.within);
    params.set("method", config.method);
    params.set("classes", config.classes);
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

  function legendItem(swatch, label, count) {
    return `<li>${swatch}${escapeHtml(label)} <span class="count">(${count})</span></li>`;
  }

  function renderLegend(data) {
    const fmt = numberFormat(data.decimals);
    const items = [];
    if (data.classes) {
      let lower = data.classes.lower;
      data.classes.breaks.forEach((upper, i) => {
        const swatch = `<span class="swatch" style="background:${data.classes.colors[i]}"></span>`;
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
      `<p class="city-value">${escapeHtml(label)}: <strong>${formatValue(row, fmt)}</strong> ${escapeHtml(unitOf(data))}</p>`;
    const city =
      (data.within_value ? reference(data.within_value.name, data.within_value) : "") +
      (data.city ? reference(text.city, data.city) : "");
    document.getElementById("legend").innerHTML =
      `<h2>${escapeHtml(text.legend)}</h2><p class="unit">${escapeHtml(unitOf(data))}</p>` +
      `<ul>${items.join("")}</ul>${city}`;
  }

  function profileUrl(code) {
    const path = config.profileUrl
      .replace("__level__", encodeURIComponent(config.level))
      .replace("__code__", encodeURIComponent(code));
    return `${path}?year=${encodeURIComponent(config.year)}`;
  }

  function renderTable(data) {
    const fmt = numberFormat(data.decimals);
    const body = document.querySelector("#values-table tbody");
    const rows = data.values.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.code = row.code;
      const cells = [
        [row.code, ""],
        [row.name, "name"],
        [formatValue(row, fmt), "num"],
        [formatInterval(row, fmt), "num"],
        [isSuppressed(row) ? text.suppressed : comparisonText(row), row.verdict || ""],
      ];
      for (const [content, cls] of cells) {
        const td = document.createElement("td");
        td.textContent = content;
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
        } else if (cls) {
          td.className = cls;
        }
        tr.append(td);
      }
      return tr;
    });
    body.replaceChildren(...rows);
    const name = document.getElementById("indicator-name");
    document.getElementById("table-caption").textContent = text.caption
      .replace("{indicator}", name ? name.textContent : data.indicator)
      .replace("{year}", data.year)
      .replace("{unit}", unitOf(data));
  }

  function tooltipFor(feature) {
    const row = values.byCode[feature.properties.code];
    const fmt = numberFormat(values.data.decimals);
    const lines = [`<strong>${escapeHtml(feature.properties.name)}</strong>`];
    if (config.within && !row) return `${lines[0]}<br>${escapeHtml(text.outside)}`;
    if (row && row.share_inside < 1) {
      const share = new Intl.NumberFormat(text.locale, { style: "percent" }).format(row.share_inside);
      lines.push(escapeHtml(text.partly.replace("{share}", share)));
    }
    if (isSuppressed(row)) {
      lines.push(escapeHtml(text.suppressed));
    } else {
      lines.push(`${formatValue(row, fmt)} ${escapeHtml(unitOf(values.data))}`);
      const interval = formatInterval(row, fmt);
      if (interval) lines.push(`${escapeHtml(text.interval)}: ${interval}`);
      if (row && row.comparison) lines.push(escapeHtml(comparisonText(row)));
      if (row && row.approximate) lines.push(escapeHtml(text.approximate));
    }
    return lines.join("<br>");
  }

  async function repaint() {
    const status = document.getElementById("map-status");
    try {
      const loaded = await loadValues();
      const geojson = await loadBoundaries(loaded.data.boundaries.version, loaded.data.boundaries.url);
      values = loaded;
      config.year = String(loaded.data.year);
      renderYears(loaded.data);
      renderLegend(loaded.data);
      renderTable(loaded.data);
      if (layer && layer.version !== loaded.data.boundaries.version) {
        layer.remove();
        layer = null;
      }
      if (!layer) {
        layer = L.geoJSON(geojson, {
          renderer: L.canvas(),
          style: styleFor,
          onEachFeature: (feature, featureLayer) => {
            featureLayer.bindTooltip(() => tooltipFor(feature), { sticky: true });
            featureLayer.on("click", () => {
              window.location.href = profileUrl(feature.properties.code);
            });
          },
        }).addTo(map);
        layer.version = loaded.data.boundaries.version;
        if (!map.fitted) map.fitBounds(focusBounds(), { padding: [8, 8] });
        map.fitted = true;
      } else {
        layer.setStyle(styleFor);
      }
      const drawn = config.within
        ? layer.getLayers().filter((l) => values.byCode[l.feature.properties.code]).length
        : layer.getLayers().length;
      map.getContainer().dataset.drawn = String(drawn);
      status.textContent = text.drawn.replace("{n}", drawn);
    } catch (error) {
      status.textContent = text.error;
      throw error;
    }
  }

  function focusBounds() {
    // A Bezirk view zooms to the Bezirk's districts; the city view to everything.
    if (!config.within) return layer.getBounds();
    const inside = layer.getLayers().filter((l) => values.byCode[l.feature.properties.code]);
    return L.featureGroup(inside).getBounds();
  }

  function stateParams() {
    const params = new URLSearchParams({ indicator: config.indicator, year: config.year });
    params.set("method", config.method);
    params.set("classes", config.classes);
    if (!config.within && config.level !== "statistischer-bezirk") params.set("level", config.level);
    return params;
  }

  function pushState() {
    history.replaceState(null, "", `?${stateParams()}`);
  }

  // Play steps through the years from the shown one to the last, one repaint at a time.
  function setupPlay() {
    const button = document.getElementById("play");
    const select = document.getElementById("year");
    let timer = null;
    const stop = () => {
      clearTimeout(timer);
      timer = null;
      button.setAttribute("aria-pressed", "false");
      button.textContent = text.play;
    };
    const step = async () => {
      const next = select.selectedIndex + 1;
      if (next >= select.options.length) return stop();
      config.year = select.options[next].value;
      pushState();
      await repaint();
      if (timer !== null) timer = setTimeout(step, 1200);
    };
    button.addEventListener("click", () => {
      if (timer !== null) return stop();
      if (select.selectedIndex === select.options.length - 1) {
        config.year = select.options[0].value;
      }
      button.setAttribute("aria-pressed", "true");
      button.textContent = text.pause;
      timer = setTimeout(step, 0);
    });
  }

  window.atlasMapInit = function (leafletMap) {
    map = leafletMap;
    // Fractional zoom lets a city fill the map instead of the next smaller whole zoom level.
    map.options.zoomSnap = 0.25;
    document.getElementById("map-status").textContent = text.loading;
    document.getElementById("indicator").addEventListener("change", (event) => {
      // A new indicator changes name, definition and unit too: reload the page for them.
      config.indicator = event.target.value;
      window.location.search = stateParams().toString();
    });
    const levelSelect = document.getElementById("level");
    if (levelSelect) {
      levelSelect.addEventListener("change", (event) => {
        config.level = event.target.value;
        window.location.search = stateParams().toString();
      });
    }
    document.getElementById("year").addEventListener("change", (event) => {
      config.year = event.target.value;
      pushState();
      repaint();
    });
    setupPlay();
    for (const name of ["method", "classes"]) {
      document.getElementById(name).addEventListener("change", (event) => {
        config[name] = event.target.value;
        pushState();
        repaint();
      });
    }
    repaint();
  };
})();
