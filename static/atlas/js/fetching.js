/* JSON for every page script, patient with the atlas's rate limit.

   The map's first view comes from files under /data/, which are not limited; what a visitor
   asks for later (charts, another year of a Bezirk's values, a catchment not yet a file) may
   still go to /api/, and a quick visitor can reach its limit there. A 429 is then waited out
   for the seconds its Retry-After names, a few times, with the page saying why it waits:
   the page's own requests must not end in a dead "could not be loaded". */
import { fill } from "./escape.js";

const RETRIES = 3;
// Retry-After of a fixed window is at most its length; a longer one is not waited for here.
const LONGEST_WAIT_S = 60;

// A response that was not ok, with its status (429 after the retries were used up).
export class HttpError extends Error {
  constructor(response) {
    super(`${response.status} ${response.url}`);
    this.status = response.status;
  }
}

function waitSeconds(response) {
  const seconds = Number(response.headers.get("Retry-After"));
  if (!Number.isFinite(seconds) || seconds < 0) return 1;
  return Math.ceil(seconds);
}

const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/* fetch() with Accept: application/json that waits out a 429 up to RETRIES times; each wait
   is told to ``onWait(seconds)`` first. Returns the last response, ok or not. */
export async function fetchPatiently(url, { onWait = null } = {}) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (response.status !== 429 || attempt >= RETRIES) return response;
    const seconds = waitSeconds(response);
    if (seconds > LONGEST_WAIT_S) return response;
    if (onWait) onWait(seconds);
    await sleep(seconds);
  }
}

// The parsed body of an ok response; an HttpError otherwise.
export async function fetchJson(url, options = {}) {
  const response = await fetchPatiently(url, options);
  if (!response.ok) throw new HttpError(response);
  return response.json();
}

const gettext = (message) => (window.django ? window.django.gettext(message) : message);

// What a status line says while a request waits out the limit.
export function waitingText(seconds) {
  return fill(gettext("Viele Anfragen in kurzer Zeit: neuer Versuch in {n} s …"), { n: seconds });
}

// What it says when loading failed: after a limit that did not end, to try again later.
export function failureText(error, otherwise) {
  if (error instanceof HttpError && error.status === 429) {
    return gettext("Zu viele Anfragen in kurzer Zeit. Bitte in einer Minute erneut versuchen.");
  }
  return otherwise;
}
