/* The controls beside the map: indicator search and choice, level, year and its play button,
   change since, classification and manual class limits. Each change goes into the URL and
   repaints the view (``repaint``); a new indicator or level reloads the page. */
import { isProjected } from "./projection.js";
import { config, germanBreaks, parseBreaks, pushState, stateParams } from "./state.js";
import { text } from "./text.js";

function setupBreaks(repaint) {
  document.getElementById("breaks").value = germanBreaks(config.breaks);
  document.getElementById("controls").addEventListener("submit", (event) => {
    event.preventDefault();
    const parsed = parseBreaks(document.getElementById("breaks").value);
    if (parsed === null) {
      document.getElementById("breaks-error").textContent = text.badBreaks;
      return;
    }
    config.breaks = parsed;
    pushState();
    repaint();
  });
}

// The search compares letters without their accents, so that "altere" finds "Ältere", "uber"
// finds "über" and "strasse" finds "Straße"; an option is also compared with its umlauts
// spelt out, so that "aeltere" finds "Ältere" too.
function plain(text) {
  return text.normalize("NFC").toLowerCase().replace(/ß/g, "ss")
    .normalize("NFD").replace(/\p{M}/gu, "");
}

function spelt(text) {
  const umlauts = { ä: "ae", ö: "oe", ü: "ue" };
  return plain(text.normalize("NFC").toLowerCase().replace(/[äöü]/g, (letter) => umlauts[letter]));
}

function setupSearch() {
  const input = document.getElementById("indicator-search");
  const select = document.getElementById("indicator");
  const found = document.getElementById("indicator-found");
  const options = [...select.options];
  // Name, short name, slug, theme, search words and definition, as the page's language has them.
  const texts = new Map(
    options.map((option) => [option, [plain(option.dataset.search), spelt(option.dataset.search)]]),
  );
  input.addEventListener("input", () => {
    const words = plain(input.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const option of options) {
      const forms = texts.get(option);
      const match = words.every((word) => forms.some((form) => form.includes(word)));
      option.hidden = !match;
      option.disabled = !match && !option.selected;
      if (match) shown += 1;
    }
    for (const group of select.querySelectorAll("optgroup")) {
      group.hidden = [...group.children].every((option) => option.hidden);
    }
    found.textContent = words.length
      ? text.found.replace("{n}", shown).replace("{total}", options.length)
      : "";
    // While a search narrows the list, the list stands open, so its matches are in sight.
    const groups = [...select.querySelectorAll("optgroup")].filter((group) => !group.hidden);
    select.size = words.length && shown ? Math.min(shown + groups.length, 10) : 0;
  });
  // Enter in the search field picks the first match by name, else the first match by search
  // words or definition: "Pflege" picks Pflegebedürftige, not the children under 3, whose
  // search words name the Kindertagespflege.
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const words = plain(input.value).split(/\s+/).filter(Boolean);
    const named = (option) => {
      const forms = [plain(option.text), spelt(option.text)];
      return words.every((word) => forms.some((form) => form.includes(word)));
    };
    const shown = options.filter((option) => !option.hidden);
    const first = shown.find(named) || shown[0];
    if (first && first.value !== config.indicator) {
      config.indicator = first.value;
      window.location.search = stateParams().toString();
    }
  });
}

// Play steps through the years from the shown one to the last, one repaint at a time; from
// the last year it starts again at the first. Observed and projected years are played apart:
// from an observed year to the last observed one, from a projected year to the last projected.
function setupPlay(repaint) {
  const button = document.getElementById("play");
  const select = document.getElementById("year");
  let timer = null;
  const stop = () => {
    clearTimeout(timer);
    timer = null;
    button.setAttribute("aria-pressed", "false");
    button.textContent = text.play;
  };
  const show = async (index) => {
    select.selectedIndex = index;
    config.year = select.options[index].value;
    if (config.from && (Number(config.from) >= Number(config.year) || isProjected(config.year))) config.from = "";
    pushState();
    await repaint();
    if (timer !== null) timer = setTimeout(step, 1200);
  };
  // The indices of the years of the shown year's kind.
  const played = () => {
    const projected = isProjected(config.year);
    return [...select.options].flatMap((option, i) => (isProjected(option.value) === projected ? [i] : []));
  };
  const step = () => {
    const next = select.selectedIndex + 1;
    return played().includes(next) ? show(next) : stop();
  };
  button.addEventListener("click", () => {
    if (timer !== null) return stop();
    const years = played();
    const atEnd = select.selectedIndex === years[years.length - 1];
    button.setAttribute("aria-pressed", "true");
    button.textContent = text.pause;
    timer = setTimeout(atEnd ? () => show(years[0]) : step, 0);
  });
}

export function setupControls(repaint) {
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
    // The note on the year the page opened on is about that year only.
    const yearNote = document.getElementById("year-note");
    if (yearNote) yearNote.hidden = true;
    // A change map needs its first year before the shown one, and both observed.
    if (config.from && (Number(config.from) >= Number(config.year) || isProjected(config.year))) config.from = "";
    pushState();
    repaint();
  });
  setupPlay(repaint);
  setupSearch();
  setupBreaks(repaint);
}

export function setupClassification(repaint) {
  for (const name of ["method", "classes", "from"]) {
    document.getElementById(name).addEventListener("change", (event) => {
      config[name] = event.target.value;
      document.getElementById("breaks-row").hidden = config.method !== "manual";
      if (config.method === "manual" && !config.breaks) return;
      pushState();
      repaint();
    });
  }
}
