// The admin page: /api/v1/admin/metrics as tiles and a service table, re-read every 10 s while
// the page is open. The gateway decides who is an admin (403 for everyone else).

import { api } from './api.js';
import { $, formatBytes, h, showError } from './dom.js';

const REFRESH_MS = 10000;
const numberFormat = new Intl.NumberFormat();
let timer = null;
let visible = false;

const count = (value) => (Number.isFinite(value) ? numberFormat.format(value) : '–');
const percent = (fraction) => (Number.isFinite(fraction) ? `${(fraction * 100).toFixed(2)} %` : '–');
const bytes = (value) => (Number.isFinite(value) ? formatBytes(value) : '–');

function tile(label, value, key) {
  return h('div', { class: 'tile', 'data-metric': key }, h('dt', {}, label), h('dd', {}, value));
}

/** Everything a service reports besides `up`, as "key: value" text. */
function details(service) {
  return Object.entries(service)
    .filter(([key]) => key !== 'up')
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`)
    .join(', ');
}

function render(metrics) {
  $('#admin-metrics').replaceChildren(
    tile('Users', count(metrics.users), 'users'),
    tile('Files', count(metrics.files), 'files'),
    tile('Uploads', count(metrics.uploads_total), 'uploads_total'),
    tile('Bytes uploaded', bytes(metrics.bytes_uploaded), 'bytes_uploaded'),
    tile('Storage used', bytes(metrics.storage_bytes), 'storage_bytes'),
    tile('Queue depth', count(metrics.queue_depth), 'queue_depth'),
    tile('Error rate', percent(metrics.error_rate), 'error_rate'));
  const services = Object.entries(metrics.services ?? {}).sort(([a], [b]) => a.localeCompare(b));
  $('#admin-services tbody').replaceChildren(...services.map(([name, service]) => h('tr', { 'data-service': name },
    h('th', { scope: 'row' }, name),
    h('td', {}, h('span', { class: `badge ${service?.up ? 'badge-processed' : 'badge-failed'}` }, service?.up ? 'up' : 'down')),
    h('td', { class: 'muted' }, details(service ?? {})))));
  // The gateway still reports health and traffic when the metadata service cannot give its figures.
  if (metrics.stats_error) showError(new Error(`System figures unavailable: ${metrics.stats_error}`));
}

async function refresh() {
  clearTimeout(timer);
  try {
    render(await api('GET', '/api/v1/admin/metrics'));
  } catch (error) {
    showError(error);
  }
  if (visible) timer = setTimeout(refresh, REFRESH_MS);
}

export function showAdmin() {
  visible = true;
  refresh();
}

export function hideAdmin() {
  visible = false;
  clearTimeout(timer);
}

export function initAdmin() {
  $('#admin-refresh').addEventListener('click', refresh);
}
