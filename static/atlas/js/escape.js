/* Text into markup, for every page script: the one escaping function, links that may be
   followed, and placeholders filled with text.

   escapeHtml makes a value safe between tags and inside a quoted attribute (either quote).
   Quotes become numeric references, which Plotly's own little markup understands too, so the
   same function serves names in chart titles, legends and hover labels. */

const REPLACEMENTS = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };

export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (character) => REPLACEMENTS[character]);
}

// An absolute http(s) address as the browser reads it, or null: javascript:, data: and
// relative addresses are never turned into links.
export function httpUrl(value) {
  if (typeof value !== "string" || !/^https?:\/\//i.test(value.trim())) return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (error) {
    return null;
  }
}

// "{name} liegt zum Teil im Bezirk" with values as they are: a function as replacement keeps
// "$&" and the like in a name from being read as a pattern.
export function fill(template, values) {
  return Object.entries(values).reduce(
    (result, [key, value]) => result.replaceAll(`{${key}}`, () => String(value)),
    template,
  );
}
