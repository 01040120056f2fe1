// Drop zone, file picker and progress bar. Files under 1 MiB go as one raw POST (one round
// trip); larger ones through TUS so that a dropped connection or a reload loses little.
// Files queue up; the bar shows the bytes of the whole batch.

import { api, errorFrom, send } from './api.js';
import { $, formatBytes, h, showError } from './dom.js';
import { forgetUpload, pendingUploads, TusUpload } from './tus.js';

const RAW_LIMIT = 1024 * 1024;

const idleBatch = () => ({ queue: [], total: 0, done: 0, failed: 0, running: false, cancelled: false, current: null });
const batch = idleBatch();
let context = null; // { owner, onUploaded } from initUpload

function setProgress(percent, stateName) {
  const bar = $('#upload-progress');
  const value = Math.max(0, Math.min(100, Math.floor(percent)));
  bar.setAttribute('aria-valuenow', String(value));
  bar.querySelector('.progress-fill').style.width = `${value}%`;
  if (stateName) bar.dataset.state = stateName;
  if (stateName === 'complete') bar.dataset.complete = 'true';
  else delete bar.dataset.complete;
}

function report(sentOfCurrent) {
  const percent = batch.total > 0 ? (100 * (batch.done + sentOfCurrent)) / batch.total : 0;
  setProgress(Math.min(percent, 99)); // 100 only once the server has confirmed the last file
}

/** One raw POST with XHR progress; resolves to the File object the server created. */
async function uploadRaw(file, signal) {
  const xhr = await send('POST', '/api/v1/files', {
    headers: { 'X-File-Name': encodeURIComponent(file.name), 'Content-Type': file.type || 'application/octet-stream' },
    body: file, signal, onProgress: report,
  });
  if (xhr.status !== 201) throw errorFrom(xhr.status, xhr.responseText);
  return JSON.parse(xhr.responseText);
}

async function uploadOne(file) {
  if (file.size < RAW_LIMIT) {
    const abort = new AbortController();
    batch.current = { cancel: async () => abort.abort() };
    return uploadRaw(file, abort.signal);
  }
  const tus = new TusUpload(file, { owner: context.owner, onProgress: report });
  batch.current = tus;
  const fileId = await tus.start();
  return api('GET', `/api/v1/files/${encodeURIComponent(fileId)}`);
}

async function run() {
  batch.running = true;
  $('#upload-cancel').hidden = false;
  while (batch.queue.length > 0) {
    const file = batch.queue.shift();
    $('#upload-status').textContent = `Uploading ${file.name} (${formatBytes(file.size)})…`;
    try {
      context.onUploaded(await uploadOne(file));
    } catch (error) {
      if (batch.cancelled) break;
      batch.failed += 1;
      showError(error);
    }
    batch.done += file.size;
    report(0);
  }
  finish(batch.cancelled ? 'cancelled' : batch.failed > 0 ? 'error' : 'complete');
}

function finish(outcome) {
  const messages = {
    complete: 'Upload complete.',
    error: `${batch.failed} upload(s) failed.`,
    cancelled: 'Upload cancelled.',
  };
  setProgress(outcome === 'complete' ? 100 : Number($('#upload-progress').getAttribute('aria-valuenow')), outcome);
  $('#upload-status').textContent = messages[outcome];
  $('#upload-cancel').hidden = true;
  Object.assign(batch, idleBatch());
  renderResumeList();
}

/** Queues files; starts a new batch (and resets the bar) unless one is running. */
function enqueue(files) {
  if (files.length === 0) return;
  if (!batch.running) setProgress(0, 'uploading');
  batch.queue.push(...files);
  batch.total += files.reduce((sum, f) => sum + f.size, 0);
  if (!batch.running) run();
}

async function cancel() {
  batch.cancelled = true;
  batch.queue = [];
  await batch.current?.cancel();
}

/** Lists unfinished TUS uploads: choosing the same file again resumes it. */
function renderResumeList() {
  const pending = context ? pendingUploads(context.owner) : [];
  $('#resume-list').replaceChildren(...pending.map(({ key, name, size }) => h('li', {},
    h('span', {}, `Unfinished: ${name} (${formatBytes(size)}). Choose it again to resume. `),
    h('button', {
      type: 'button', class: 'ghost', 'data-testid': 'resume-forget', 'aria-label': `Discard unfinished ${name}`,
      onclick: async () => { await forgetUpload(key); renderResumeList(); },
    }, 'Discard'))));
}

/** Starts the upload area for a signed-in user. */
export function startUpload(owner, onUploaded) {
  context = { owner, onUploaded };
  setProgress(0, 'idle');
  $('#upload-status').textContent = '';
  renderResumeList();
}

/** Stops the upload area at sign-out: cancels what is running and forgets the user. */
export async function stopUpload() {
  if (batch.running) await cancel();
  context = null;
  renderResumeList();
}

export function initUpload() {
  const zone = $('#drop-zone');
  const input = $('#file-input');
  input.addEventListener('change', () => {
    enqueue([...input.files]);
    input.value = ''; // so that choosing the same file again (to resume) fires "change"
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove('dragging');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    enqueue([...event.dataTransfer.files]);
  });
  // A file dropped beside the zone would otherwise make the browser navigate away to it.
  window.addEventListener('dragover', (event) => {
    if (zone.contains(event.target)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'none';
  });
  window.addEventListener('drop', (event) => event.preventDefault());
  $('#upload-cancel').addEventListener('click', () => cancel().catch(showError));
}
