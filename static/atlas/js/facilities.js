/* Facilities over the map: markers per type for the shown year, their table, and how much of
   each district lies within reach of a facility of a type. The map page's state arrives with
   every "atlas:state" event; this overlay's own state goes back with "atlas:overlay". */
import { escapeHtml, fill, httpUrl } from "./escape.js";
import { failureText, fetchJson as fetchPatientJson, waitingText } from "./fetching.js";
import { onState } from "./map/state.js";
import { text as mapText } from "./map/text.js";

(function () {
  "use strict";

  const overlay = JSON.parse(document.getElementById("facilities-config").textContent);
  const text = overlay.text;
  const locale = mapText.locale;
  const types = Object.fromEntries(overlay.types.map((type) => [type.slug, type]));
  const distances = [...document.querySelectorAll("#catchment-distance option")].map((o) => o.value);
  const DEFAULT_DISTANCE = distances.includes("500") ? "500" : distances[0];

  const state = { types: [], catchment: "", distance: DEFAULT_DISTANCE };
  let map = null;
  let atlas = null; // the map page's configuration (year, level, Bezirk)
  // The year whose facilities are shown: the map's, or a projected year's base year (today's
  // supply beside tomorrow's children).
  let shownYear = null;
  let loadedFor = null; // year, level and Bezirk of the loaded facilities
  let features = [];
  let featuresFor = null; // the year, level and Bezirk ``features`` belong to
  let clusters = null;
  let zooming = false; // between the map's zoomstart and zoomend
  let buffers = null;
  const markers = {};

  const integer = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });

  // A request that waits out the API's rate limit says so where the overlay speaks.
  const patience = {
    onWait: (seconds) => {
      document.getElementById("facility-status").textContent = waitingText(seconds);
    },
  };

  const fetchJson = (url) => fetchPatientJson(url, patience);

  // The published file of the map's data state (atlas.dataUrl), named like the map's values
  // files; the API answers where there is none (no such file, or no data state named).
  const ofBezirk = (year) => (atlas.within ? `${year}-in-${encodeURIComponent(atlas.within)}` : String(year));

  // A file never changes under its name, so each is fetched once: the city's file of a year
  // serves both the markers and the catchment's buffers.
  const files = {};

  function fileOrApi(path, api) {
    if (!atlas.dataUrl) return fetchJson(api);
    const url = `${atlas.dataUrl}${path}`;
    if (!files[url]) {
      files[url] = fetchJson(url).catch((error) => {
        delete files[url];
        throw error;
      });
    }
    return files[url].catch(() => fetchJson(api));
  }

  // --- state in the URL ---------------------------------------------------------------------

  function readUrl() {
    const params = new URLSearchParams(window.location.search);
    state.types = (params.get("angebote") || "").split(",").filter((slug) => slug in types);
    const reach = params.get("erreichbarkeit") || "";
    state.catchment = reach in types ? reach : "";
    const distance = params.get("distanz") || "";
    state.distance = distances.includes(distance) ? distance : DEFAULT_DISTANCE;
  }

  function urlState() {
    return {
      angebote: state.types.join(","),
      erreichbarkeit: state.catchment,
      distanz: state.catchment ? state.distance : "",
    };
  }

  function syncControls() {
    for (const box of document.querySelectorAll("#facility-overlay input[name=angebote]")) {
      box.checked = state.types.includes(box.value);
    }
    document.getElementById("catchment-type").value = state.catchment;
    document.getElementById("catchment-distance").value = state.distance;
  }

  // The map page writes the URL: it keeps these parameters in every view it pushes.
  function publish() {
    document.dispatchEvent(new CustomEvent("atlas:overlay", { detail: urlState() }));
  }

  // --- markers ------------------------------------------------------------------------------

  function colourRing(marker, colour) {
    marker.on("add", () => {
      const element = marker.getElement();
      if (element) element.style.borderColor = colour;
    });
  }

  function popupContent(feature) {
    const p = feature.properties;
    const type = types[p.type];
    const lines = [
      `<h3 class="facility-name">${escapeHtml(p.name)}</h3>`,
      `<p>${escapeHtml(type ? type.name : p.type)}</p>`,
    ];
    if (p.address) lines.push(`<p>${escapeHtml(p.address)}</p>`);
    lines.push(
      `<p>${
        p.capacity === null ? escapeHtml(text.noPlaces) : `${escapeHtml(text.places)}: ${integer.format(p.capacity)}`
      }</p>`,
    );
    if (p.opened_on) {
      const date = new Date(`${p.opened_on}T00:00:00`).toLocaleDateString(locale, { day: "numeric", month: "short", year: "numeric" });
      lines.push(`<p>${escapeHtml(fill(text.opened, { date }))}</p>`);
    }
    const contact = httpUrl(p.contact);
    if (contact) {
      lines.push(`<p><a href="${escapeHtml(contact)}" rel="noopener" target="_blank">${escapeHtml(text.contact)}</a></p>`);
    }
    if (p.is_demo) lines.push(`<p class="facility-demo">${escapeHtml(text.demo)}</p>`);
    return `<div class="facility-popup" tabindex="-1">${lines.join("")}</div>`;
  }

  function markerFor(feature) {
    const [lng, lat] = feature.geometry.coordinates;
    const type = types[feature.properties.type];
    const label = fill(text.marker, { type: type.name, name: feature.properties.name });
    const marker = L.marker([lat, lng], {
      icon: L.divIcon({
        className: "facility-marker",
        html: `<img src="${escapeHtml(type.icon_url)}" alt="${escapeHtml(label)}" width="18" height="18">`,
        iconSize: [30, 30],
        popupAnchor: [0, -12],
      }),
      keyboard: true,
    });
    colourRing(marker, type.colour);
    marker.bindPopup(popupContent(feature), { autoPanPadding: [24, 24] });
    return marker;
  }

  function clusterIcon(cluster) {
    const n = cluster.getChildCount();
    return L.divIcon({
      className: "facility-cluster",
      html:
        `<span class="visually-hidden">${escapeHtml(fill(text.cluster, { n }))}</span>` +
        `<span aria-hidden="true">${escapeHtml(n)}</span>`,
      iconSize: [36, 36],
    });
  }

  function ensureLayers() {
    if (clusters) return;
    clusters = L.markerClusterGroup({
      maxClusterRadius: 36,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      iconCreateFunction: clusterIcon,
    });
    // Enter on a cluster does what a click does, and the focus follows into the zoomed view.
    clusters.on("clusterkeypress", (event) => {
      if (event.originalEvent.key !== "Enter") return;
      const first = event.layer.getAllChildMarkers()[0];
      const pressed = event.layer.getElement();
      // The clusters split after the zoom in an animation of their own, replacing elements
      // for a while: the focus follows until it rests on what the cluster became.
      const focusFirst = (tries = 15) => {
        const shown = clusters.getVisibleParent(first);
        const element = shown && shown.getElement();
        const active = document.activeElement;
        const lost = [document.body, map.getContainer(), pressed].includes(active) || !active.isConnected;
        if (element && element !== active && lost) element.focus({ preventScroll: true });
        if (tries > 0) setTimeout(() => focusFirst(tries - 1), 150);
      };
      if (map.getZoom() >= map.getMaxZoom()) clusters.once("spiderfied", () => focusFirst());
      else map.once("moveend", () => focusFirst());
      if (map.getZoom() >= map.getMaxZoom()) event.layer.spiderfy();
      else event.layer.zoomToBounds({ padding: [24, 24] });
    });
    map.addLayer(clusters);
    map.createPane("catchment");
    map.getPane("catchment").style.zIndex = "450";
    buffers = L.layerGroup().addTo(map);
    // Keyboard users land in the popup, and Escape brings them back to the marker.
    map.on("popupopen", (event) => {
      const content = event.popup.getElement().querySelector(".facility-popup");
      if (!content) return;
      content.focus({ preventScroll: true });
      content.addEventListener("keydown", (key) => {
        if (key.key !== "Escape") return;
        const source = event.popup._source;
        map.closePopup(event.popup);
        if (source && source.getElement()) source.getElement().focus({ preventScroll: true });
      });
    });
  }

  // Leaflet drops a zoom asked for while another zoom is animated, and the cluster group would
  // then wait for ever to open the popup: a facility chosen mid-zoom waits for the zoom's end.
  // A zoom that began before this script saw the map shows in Leaflet's own flag.
  function reveal(marker) {
    if (zooming || map._animatingZoom) {
      map.once("zoomend", () => reveal(marker));
      return;
    }
    clusters.zoomToShowLayer(marker, () => marker.openPopup());
  }

  function shownFeatures() {
    return features.filter((feature) => state.types.includes(feature.properties.type));
  }

  function renderMarkers(shown) {
    ensureLayers();
    clusters.clearLayers();
    for (const key of Object.keys(markers)) delete markers[key];
    const list = shown.map((feature) => {
      const marker = markerFor(feature);
      markers[feature.id] = marker;
      return marker;
    });
    clusters.addLayers(list);
    // The count is told only once the year's facilities are in: a type switched on while
    // they load is not "none open".
    const container = map.getContainer();
    if (featuresFor === loadKey()) {
      container.dataset.facilities = String(shown.length);
      container.dataset.facilitiesYear = String(shownYear);
    } else {
      delete container.dataset.facilities;
      delete container.dataset.facilitiesYear;
    }
  }

  // --- the list of types, the table ---------------------------------------------------------

  function renderCounts() {
    const counts = {};
    for (const feature of features) counts[feature.properties.type] = (counts[feature.properties.type] || 0) + 1;
    for (const span of document.querySelectorAll("#facility-overlay [data-count-for]")) {
      span.textContent = `(${integer.format(counts[span.dataset.countFor] || 0)})`;
    }
  }

  function cell(content, className) {
    const td = document.createElement("td");
    td.textContent = content;
    if (className) td.className = className;
    return td;
  }

  function renderTable(shown) {
    const block = document.getElementById("facility-block");
    block.hidden = shown.length === 0 && state.types.length === 0;
    const rows = shown.map((feature) => {
      const p = feature.properties;
      const tr = document.createElement("tr");
      tr.dataset.id = String(feature.id);
      const name = document.createElement("td");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = p.name;
      button.setAttribute("aria-label", fill(text.showOnMap, { name: p.name }));
      button.addEventListener("click", () => reveal(markers[feature.id]));
      name.append(button);
      tr.append(
        name,
        cell(types[p.type] ? types[p.type].name : p.type),
        cell(p.address || ""),
        cell(p.capacity === null ? "–" : integer.format(p.capacity), "num"),
        cell(p.district_name || ""),
      );
      return tr;
    });
    document.querySelector("#facility-table tbody").replaceChildren(...rows);
    const names = state.types.map((slug) => types[slug].name).join(", ");
    document.getElementById("facility-caption").textContent = fill(text.caption, {
      year: shownYear,
      types: names,
    });
    renderStatus(shown);
  }

  function renderStatus(shown) {
    let status = "";
    if (state.types.length && featuresFor !== loadKey()) status = text.loading;
    else if (state.types.length) status = fill(text.shown, { n: integer.format(shown.length) });
    document.getElementById("facility-status").textContent = status;
  }

  function render() {
    if (!map) return;
    const shown = shownFeatures();
    renderMarkers(shown);
    renderTable(shown);
    updateArea();
  }

  function updateArea() {
    document.getElementById("facility-area").hidden = state.types.length === 0 && !state.catchment;
  }

  // --- catchment ----------------------------------------------------------------------------

  function catchmentParams() {
    const params = new URLSearchParams({
      type: state.catchment,
      distance: state.distance,
      level: atlas.level,
      year: shownYear,
    });
    if (atlas.within) params.set("within", atlas.within);
    return params;
  }

  async function renderCatchment() {
    const block = document.getElementById("catchment-block");
    ensureLayers();
    buffers.clearLayers();
    block.hidden = !state.catchment;
    updateArea();
    if (!state.catchment || !shownYear) return;
    const params = catchmentParams();
    const asked = params.toString();
    const slug = encodeURIComponent(state.catchment);
    // Buffers reach across the Bezirk's edge: they come from every facility of the type, in
    // the city's file of the year (all types, each with its district of the level).
    const [shares, city] = await Promise.all([
      fileOrApi(
        `catchment/${slug}/${state.distance}/${encodeURIComponent(atlas.level)}/${ofBezirk(shownYear)}.json`,
        `${overlay.catchmentUrl}?${params}`,
      ),
      fileOrApi(
        `facilities/${encodeURIComponent(atlas.level)}/${shownYear}.json`,
        `${overlay.facilitiesUrl}?${new URLSearchParams({ year: shownYear, level: atlas.level })}`,
      ),
    ]);
    const reach = city.features.filter((feature) => feature.properties.type === state.catchment);
    if (asked !== catchmentParams().toString() || !state.catchment) return; // a newer choice won
    renderStatus(shownFeatures()); // past a wait for the rate limit, if there was one
    const type = types[state.catchment];
    buffers.clearLayers();
    const renderer = L.canvas({ pane: "catchment", padding: 0 });
    for (const feature of reach) {
      const [lng, lat] = feature.geometry.coordinates;
      L.circle([lat, lng], {
        radius: Number(state.distance),
        renderer,
        interactive: false,
        color: type.colour,
        weight: 1,
        opacity: 0.45,
        fillColor: type.colour,
        fillOpacity: 0.07,
      }).addTo(buffers);
    }
    const rows = shares.areas.map((area) => {
      const tr = document.createElement("tr");
      tr.dataset.code = area.code;
      tr.append(cell(area.code), cell(area.name), cell(percent.format(area.share), "num"));
      return tr;
    });
    document.querySelector("#catchment-table tbody").replaceChildren(...rows);
    document.getElementById("catchment-caption").textContent = fill(text.catchmentCaption, {
      distance: integer.format(Number(state.distance)),
      type: type.name,
      year: shownYear,
    });
    for (const link of document.querySelectorAll("#catchment-downloads a")) {
      link.setAttribute("download", "");
      link.href = link.dataset.dialect
        ? `${overlay.catchmentCsvUrl}?${params}&dialect=${link.dataset.dialect}`
        : `${overlay.catchmentXlsxUrl}?${params}`;
    }
    map.getContainer().dataset.catchment = asked;
  }

  // --- loading ------------------------------------------------------------------------------

  const loadKey = () => [shownYear, atlas.level, atlas.within || ""].join("|");

  async function load() {
    const key = loadKey();
    if (key === loadedFor || !shownYear) return;
    loadedFor = key;
    const params = new URLSearchParams({ year: shownYear, level: atlas.level });
    if (atlas.within) params.set("within", atlas.within);
    try {
      const path = `facilities/${encodeURIComponent(atlas.level)}/${ofBezirk(shownYear)}.json`;
      const data = await fileOrApi(path, `${overlay.facilitiesUrl}?${params}`);
      if (key !== loadedFor) return;
      features = data.features;
      featuresFor = key;
      renderCounts();
      render();
      await renderCatchment();
    } catch (error) {
      loadedFor = null;
      document.getElementById("facility-status").textContent = failureText(error, text.error);
      throw error;
    }
  }

  function failed(error) {
    document.getElementById("facility-status").textContent = failureText(error, text.error);
    throw error;
  }

  function setup() {
    const list = document.getElementById("facility-overlay");
    list.addEventListener("change", (event) => {
      const box = event.target;
      if (box.name !== "angebote") return;
      state.types = [...list.querySelectorAll("input[name=angebote]:checked")].map((b) => b.value);
      publish();
      render();
    });
    for (const id of ["catchment-type", "catchment-distance"]) {
      document.getElementById(id).addEventListener("change", () => {
        state.catchment = document.getElementById("catchment-type").value;
        state.distance = document.getElementById("catchment-distance").value;
        publish();
        renderCatchment().catch(failed);
      });
    }
    window.addEventListener("popstate", () => {
      readUrl();
      syncControls();
      if (atlas) atlas.overlay = urlState();
      render();
      if (atlas) renderCatchment().catch(failed);
    });
    onState((event) => {
      atlas = event.detail.config;
      shownYear = event.detail.areasYear;
      if (!map) {
        map = event.detail.map;
        atlas.overlay = urlState();
        map.on("zoomstart", () => {
          zooming = true;
        });
        map.on("zoomend", () => {
          zooming = false;
        });
      }
      load();
    });
  }

  // Colours are set through the DOM, not as style attributes in markup (no inline styles).
  for (const swatch of document.querySelectorAll(".facility-swatch[data-colour]")) {
    swatch.style.borderColor = swatch.dataset.colour;
  }
  readUrl();
  syncControls();
  setup();
})();
