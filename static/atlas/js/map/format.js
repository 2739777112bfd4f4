/* Figures as the page shows them, in map, legend, table and tooltip alike: numbers in the page's
   language, the marks of provisional and estimated values, symbols and why they stand there,
   intervals, the comparison with the city, and ranks. */
import { escapeHtml } from "../escape.js";
import { text } from "./text.js";

// A change map's figures carry their sign, as the fact sheet's do ("+0,5", "−1,2", "0,0").
const numberFormat = (decimals, signed = false) =>
  new Intl.NumberFormat(text.locale, {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    signDisplay: signed ? "exceptZero" : "auto",
  });
export const formatOf = (data) => numberFormat(data.decimals, Boolean(data.from));
const percentFormat = numberFormat(1, true);

export const isSuppressed = (row) => Boolean(row) && row.reason === "disclosure";
export const hasValue = (row) => Boolean(row) && row.value !== null;

export function unitOf(data) {
  return text.locale.startsWith("de") ? data.unit_de : data.unit_en || data.unit_de;
}

// Provisional and estimated values carry their mark ("p", "s") wherever they are shown.
export const markOf = (row) => (row && row.value !== null && text.marks[row.status]) || null;

export function formatValue(row, fmt) {
  if (!row || row.status === null) return "–";
  if (row.value === null) return escapeHtml(row.status);
  const mark = markOf(row);
  return (row.approximate ? "≈ " : "") + fmt.format(row.value) + (mark ? ` ${escapeHtml(mark.symbol)}` : "");
}

// Why an area shows a symbol instead of a number: the symbol's meaning, and the reason.
export function symbolText(row) {
  if (!row || row.value !== null || row.status === null) return "";
  // A roll-up whose parts all wait for the same thing passes their symbol on: it says all.
  const passedOn = row.reason === "incomplete" && row.status !== ".";
  const parts = [text.symbols[row.status], passedOn ? "" : text.reasons[row.reason]].filter(Boolean);
  return parts.join(": ");
}

// Counts change in their unit and in % of the first year's value: " (+2,1 %)".
export function formatPercent(row) {
  if (!row || typeof row.change_percent !== "number") return "";
  return ` (${percentFormat.format(row.change_percent)} %)`;
}

export function formatInterval(row, fmt) {
  if (!row || row.ci_low === null || row.ci_high === null) return "";
  return `${fmt.format(row.ci_low)} – ${fmt.format(row.ci_high)}`;
}

export function comparisonText(row) {
  if (!row || !row.comparison) return "";
  return text.comparison[row.comparison] || "";
}

// Rank 1 is the highest value; equal values share a rank. Worked out once per values file:
// the table and every tooltip ask for it.
const rankCache = new WeakMap();
export function ranks(data) {
  if (rankCache.has(data)) return rankCache.get(data);
  const shown = data.values.filter(hasValue).map((row) => row.value);
  const descending = [...shown].sort((a, b) => b - a);
  // In descending order a value first appears after all greater ones.
  const rankOf = new Map();
  descending.forEach((value, i) => {
    if (!rankOf.has(value)) rankOf.set(value, i + 1);
  });
  const byCode = {};
  for (const row of data.values.filter(hasValue)) byCode[row.code] = rankOf.get(row.value);
  const result = { byCode, count: shown.length };
  rankCache.set(data, result);
  return result;
}
