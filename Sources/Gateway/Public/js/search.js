// Search as you type: 200 ms after the last keystroke, ask /api/v1/search; an answer to anything
// but the latest query is dropped, so that slow answers never overwrite newer ones. Snippets are plain text; query
// words are highlighted by splitting the text into nodes, never by building markup.

import { api } from './api.js';
import { $, contentURL, debounce, h, showError, statusBadge } from './dom.js';

const LIMIT = 20;
let latest = 0; // sequence number of the newest query

/** The snippet as text nodes with each query word wrapped in <mark>. */
function highlighted(text, query) {
  const words = query.split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!text || words.length === 0) return [text ?? ''];
  const pattern = new RegExp(`(${words.join('|')})`, 'gi');
  return text.split(pattern).map((part, i) => (i % 2 === 1 ? h('mark', {}, part) : part));
}

function resultItem(hit, query) {
  const { file } = hit;
  return h('li', { 'data-testid': 'search-result', 'data-file-id': file.file_id },
    h('div', { class: 'result-head' },
      h('a', { href: contentURL(file.file_id), download: '', 'data-testid': 'download-link' }, ...highlighted(file.name, query)),
      statusBadge(file.status),
      file.permission === 'owner' ? null : h('small', { class: 'muted' }, `by ${file.owner_username ?? 'someone'}`)),
    hit.snippet ? h('p', { class: 'snippet' }, ...highlighted(hit.snippet, query)) : null);
}

async function search(query) {
  latest += 1;
  const sequence = latest;
  if (!query) {
    $('#search-panel').hidden = true;
    return;
  }
  const params = new URLSearchParams({ q: query, limit: String(LIMIT) });
  $('#search-status').textContent = 'Searching…';
  $('#search-panel').hidden = false;
  const result = await api('GET', `/api/v1/search?${params}`);
  if (sequence !== latest) return;
  const count = result.total ?? result.hits.length;
  $('#search-status').textContent = result.hits.length === 0
    ? `No files match “${query}”.`
    : `${count} result${count === 1 ? '' : 's'} for “${query}”`;
  $('#search-results').replaceChildren(...result.hits.map((hit) => resultItem(hit, query)));
}

export function clearSearch() {
  $('#search-input').value = '';
  search('');
}

export function initSearch() {
  const input = $('#search-input');
  const run = debounce(() => search(input.value.trim()).catch(showError), 200);
  input.addEventListener('input', run);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') clearSearch();
  });
}
