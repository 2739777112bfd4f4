/* Map explorer: boundaries are fetched once per level, values per indicator and year.

   The page's parts are modules under map/: text.js (its texts), state.js (configuration, what
   is shown, the URL), data.js (loading), format.js (figures as shown), drawing.js (the map),
   legend.js, table.js, controls.js, panel.js (the controls on a phone), tap.js (a click or tap
   on an area), gestures.js (one finger scrolls the page on a phone, two move the map) and
   keyboard.js (the areas by keyboard). This one repaints the view and wires
   them together. */
import { failureText } from "./fetching.js";
import { setupClassification, setupControls } from "./map/controls.js";
import {
  BadParameter,
  boundariesFile,
  boundariesFor,
  bandNow,
  chunked,
  chunksMissing,
  fetchEarly,
  fromFiles,
  loadValues,
  overviewNow,
  prefetchNeighbours,
} from "./map/data.js";
import { createMap, draw } from "./map/drawing.js";
import { setupTwoFingerPan } from "./map/gestures.js";
import { listAreas, setupAreaKeys } from "./map/keyboard.js";
import { setupPanel } from "./map/panel.js";
import { isProjected, setupScenario } from "./map/projection.js";
import { announce, config, pushState, readState, view } from "./map/state.js";
import { renderEmbedCode, setupRowFocus, setupSelection, setupTablePager, showValues } from "./map/table.js";
import { setupPopups } from "./map/tap.js";
import { text } from "./map/text.js";

let repainting = false;

async function repaint() {
  const status = document.getElementById("map-status");
  repainting = true;
  try {
    const overview = overviewNow();
    const level = overview ? overview.level : config.level;
    // An overview is drawn before the level's own values are fetched: for thousands of
    // areas they are the larger file, and on a slow line they would share its bandwidth
    // with the overview's. The table follows when they are in.
    if (!view.layer && fromFiles() && !chunked(level, bandNow()) && !isProjected(config.year)) {
      fetchEarly(boundariesFile(level, config.year, bandNow()));
    }
    const shown = await loadValues(level);
    const geojson = await boundariesFor(shown.data, level);
    if (!overview) showValues(shown);
    draw(shown, geojson, level, overview);
    listAreas(level);
    if (overview) showValues(await loadValues());
    document.getElementById("breaks-error").textContent = "";
    announce();
    prefetchNeighbours(view.values.data);
    repainting = false;
    // The view moved on while this view's chunks loaded.
    if (chunksMissing()) repaint();
  } catch (error) {
    repainting = false;
    if (error instanceof BadParameter && error.parameter === "breaks") {
      document.getElementById("breaks-error").textContent = error.message;
      status.textContent = "";
      return;
    }
    status.textContent = failureText(error, text.error);
    throw error;
  }
}

function init() {
  view.map = createMap({ repaint, repainting: () => repainting });
  setupPopups(view.map);
  setupTwoFingerPan(view.map);
  setupAreaKeys();
  setupPanel();
  document.getElementById("map-status").textContent = text.loading;
  setupControls(repaint);
  setupSelection();
  setupRowFocus();
  setupTablePager();
  setupClassification(repaint);
  setupScenario(repaint);
  window.addEventListener("popstate", () => {
    readState();
    repaint();
  });
  document.addEventListener("atlas:overlay", (event) => {
    config.overlay = event.detail;
    pushState();
    renderEmbedCode();
  });
  document.addEventListener("atlas:chart", (event) => {
    config.chart = event.detail.chart;
    config.scatter = event.detail.scatter || "";
    pushState();
  });
  repaint();
}

init();
