// The files table: the caller's files or those shared with them, paginated by cursor. Rows whose
// processing is not finished are polled until they are, so a status turns "processed" even when
// the live event stream is down; live events only make it sooner.

import { api } from './api.js';
import { $, contentURL, formatBytes, h, showError, statusBadge, timeElement } from './dom.js';
import { openShareDialog } from './share.js';
import { toast } from './toasts.js';

const PAGE_SIZE = 50;
const POLL_MS = 2000;
const PENDING = new Set(['uploaded', 'processing']);

const state = { mode: 'mine', cursor: null, generation: 0, pollTimer: null };
const rows = new Map(); // file_id -> { row: <tr>, file: the File it shows }
const SHOWN = ['name', 'size', 'status', 'permission', 'owner_username', 'created_at'];

const body = () => $('#files-body');

function updateEmpty() {
  $('#files-empty').hidden = rows.size > 0;
  $('#files-empty').textContent = state.mode === 'mine' ? 'No files yet: drop some above.' : 'Nothing is shared with you yet.';
}

function statusCell(file) {
  return h('td', { 'data-testid': 'file-status', 'data-status': file.status, 'data-label': 'Status' },
    h('span', {}, statusBadge(file.status)));
}

function renderRow(file) {
  const owned = file.permission === 'owner';
  const name = h('td', { class: 'name', 'data-label': 'Name' }, h('span', {}, h('span', { class: 'file-name' }, file.name),
    owned ? null : h('small', { class: 'muted' }, ` shared by ${file.owner_username ?? 'someone'}`)));
  const actions = h('td', { class: 'actions' }, h('div', { class: 'action-buttons' },
    h('a', {
      class: 'button ghost', href: contentURL(file.file_id), download: '', 'data-testid': 'download-link',
      'aria-label': `Download ${file.name}`,
    }, 'Download'),
    owned ? h('button', {
      type: 'button', class: 'ghost', 'data-testid': 'share-button', 'aria-label': `Share ${file.name}`,
      onclick: () => openShareDialog(file),
    }, 'Share') : null,
    owned ? h('button', {
      type: 'button', class: 'ghost danger', 'data-testid': 'delete-button', 'aria-label': `Delete ${file.name}`,
      onclick: () => deleteFile(file),
    }, 'Delete') : null));
  return h('tr', { 'data-testid': 'file-row', 'data-file-id': file.file_id },
    name,
    h('td', { 'data-label': 'Size' }, formatBytes(file.size)),
    statusCell(file),
    h('td', { 'data-label': 'Date' }, timeElement(file.created_at)),
    actions);
}

/**
 * Adds a file's row (new files go on top) or updates it in place, touching only what changed, so
 * that the <tr> and its buttons stay the same elements while the status moves on.
 */
export function upsertFile(file, { prepend = true } = {}) {
  const entry = rows.get(file.file_id);
  if (!entry) {
    const row = renderRow(file);
    if (prepend) body().prepend(row);
    else body().append(row);
    rows.set(file.file_id, { row, file });
  } else if (SHOWN.some((key) => key !== 'status' && entry.file[key] !== file[key])) {
    entry.row.replaceChildren(...renderRow(file).children);
  } else if (entry.file.status !== file.status) {
    entry.row.querySelector('[data-testid=file-status]').replaceWith(statusCell(file));
  }
  if (entry) entry.file = file;
  updateEmpty();
  schedulePoll();
}

function removeFile(fileId) {
  rows.get(fileId)?.row.remove();
  rows.delete(fileId);
  updateEmpty();
}

/** Re-reads one file after an event about it; trashed, or a 404 (unshared, purged), means it is gone. */
export async function refreshFile(fileId) {
  if (!rows.has(fileId)) return;
  try {
    const file = await api('GET', `/api/v1/files/${encodeURIComponent(fileId)}`);
    if (file.deleted_at) removeFile(fileId);
    else if (rows.has(fileId)) upsertFile(file); // unless the list was reset meanwhile
  } catch (error) {
    if (error.status === 404) removeFile(fileId);
    else throw error;
  }
}

/** Shows the progress of a transient upload_progress event next to a pending row's status. */
export function showProgress(fileId, { bytes_done: done, bytes_total: total } = {}) {
  const cell = rows.get(fileId)?.row.querySelector('[data-testid=file-status]');
  if (!cell || !PENDING.has(cell.dataset.status) || !(total > 0)) return;
  const note = cell.querySelector('[data-testid=file-progress]')
    ?? cell.firstElementChild.appendChild(h('small', { class: 'muted', 'data-testid': 'file-progress' }));
  note.textContent = ` ${Math.floor((100 * done) / total)}%`;
}

function schedulePoll() {
  if (state.pollTimer) return;
  state.pollTimer = setTimeout(async () => {
    state.pollTimer = null;
    const pending = [...rows].filter(([, { file }]) => PENDING.has(file.status));
    await Promise.all(pending.map(([id]) => refreshFile(id).catch(() => null))); // next round retries
    if (pending.length > 0) schedulePoll();
  }, POLL_MS);
}

async function deleteFile(file) {
  try {
    await api('DELETE', `/api/v1/files/${encodeURIComponent(file.file_id)}`);
    removeFile(file.file_id);
    toast({
      title: 'Moved to trash', body: file.name, fileId: file.file_id,
      action: { label: 'Undo', run: () => restoreFile(file) },
    });
  } catch (error) {
    showError(error);
  }
}

async function restoreFile(file) {
  try {
    const restored = await api('POST', `/api/v1/files/${encodeURIComponent(file.file_id)}/restore`);
    if (state.mode === 'mine') upsertFile(restored);
  } catch (error) {
    showError(error);
  }
}

function listURL() {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (state.cursor) params.set('cursor', state.cursor);
  if (state.mode === 'mine') {
    params.set('sort', $('#files-sort').value);
    return `/api/v1/files?${params}`;
  }
  return `/api/v1/shared-with-me?${params}`;
}

async function loadPage() {
  const generation = state.generation;
  const page = await api('GET', listURL());
  if (generation !== state.generation) return; // the list was reset meanwhile
  for (const file of page.files) upsertFile(file, { prepend: false });
  state.cursor = page.next_cursor ?? null;
  $('#files-more').hidden = !state.cursor;
  updateEmpty();
}

/** Clears the table and loads the first page of `mode` ("mine" or "shared"). */
export async function loadFiles(mode = state.mode) {
  state.mode = mode;
  state.cursor = null;
  clearFiles();
  $('#files-heading').textContent = mode === 'mine' ? 'My files' : 'Shared with me';
  $('#files-sort-label').hidden = mode !== 'mine';
  $('#upload-card').hidden = mode !== 'mine';
  await loadPage();
}

export const currentMode = () => state.mode;

export function clearFiles() {
  state.generation += 1;
  rows.clear();
  body().replaceChildren();
  $('#files-more').hidden = true;
}

export function initFiles() {
  $('#files-sort').addEventListener('change', () => loadFiles().catch(showError));
  $('#files-more').addEventListener('click', () => loadPage().catch(showError));
}
