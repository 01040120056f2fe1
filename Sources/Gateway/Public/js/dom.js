// DOM and formatting helpers. Server strings (file names above all) are hostile input, so
// everything here builds nodes and text nodes; nothing ever parses a string as HTML.

/**
 * Creates an element. Attributes whose name starts with "on" become event listeners; false or
 * null attributes are left out. String children become text nodes, never markup.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export const $ = (selector) => document.querySelector(selector);

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
export function formatBytes(bytes) {
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) { value /= 1024; unit += 1; }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** A <time> element for an RFC 3339 string, or an empty span if the server sent none. */
export function timeElement(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return h('span');
  return h('time', { datetime: iso }, dateFormat.format(date));
}

/** A status badge; the class drives the colour, the text stays the raw status. */
export function statusBadge(status) {
  return h('span', { class: `badge badge-${/^[a-z_]+$/.test(status) ? status : 'unknown'}` }, status ?? 'unknown');
}

const errorArea = () => $('#error-area');
/** Shows an error (an ApiError's message, or any Error's) in the page's alert area. */
export function showError(error) {
  if (error?.name === 'AbortError') return;
  errorArea().querySelector('.error-text').textContent = error?.message ?? String(error);
  errorArea().hidden = false;
}
export function clearError() { errorArea().hidden = true; }

/** Delays `fn` until `ms` have passed without another call (search as you type). */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** The download URL of a file; ids go through encodeURIComponent so no id can escape the path. */
export const contentURL = (fileId) => `/api/v1/files/${encodeURIComponent(fileId)}/content`;
