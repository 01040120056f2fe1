// A small hand-written TUS 1.0.0 client (https://tus.io/protocols/resumable-upload): creation,
// PATCH in 5 MiB chunks, resume by HEAD, sha256 checksums when the server offers them, and
// termination on cancel. Upload URLs are kept in localStorage so that choosing the same file
// again after a reload or a crash continues where the server says the upload stopped.

import { ApiError, errorFrom, send } from './api.js';

const ENDPOINT = '/api/v1/uploads/';
const CHUNK_SIZE = 5 * 1024 * 1024;
const RETRY_DELAYS_MS = [1000, 3000, 5000, 10000, 20000];
const TUS = { 'Tus-Resumable': '1.0.0' };
const STORE_PREFIX = 'fileflow.tus:';

let serverInfo = null;
/** Asks the server once per page (OPTIONS) for its size limit and checksum algorithms. */
function discover() {
  serverInfo ??= send('OPTIONS', ENDPOINT).then((xhr) => ({
    maxSize: Number(xhr.getResponseHeader('Tus-Max-Size')) || Infinity,
    sha256: Boolean(globalThis.crypto?.subtle) && (xhr.getResponseHeader('Tus-Checksum-Algorithm') ?? '')
      .split(',').map((s) => s.trim().toLowerCase()).includes('sha256'),
  }), () => ({ maxSize: Infinity, sha256: false }));
  return serverInfo;
}

const storeKey = (owner, file) => STORE_PREFIX + JSON.stringify([owner, file.name, file.size, file.lastModified]);

/** Unfinished uploads of `owner` remembered in this browser: [{key, name, size}]. */
export function pendingUploads(owner) {
  const pending = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (!key.startsWith(STORE_PREFIX)) continue;
    try {
      const [keyOwner, name, size] = JSON.parse(key.slice(STORE_PREFIX.length));
      if (keyOwner === owner) pending.push({ key, name, size });
    } catch {
      localStorage.removeItem(key);
    }
  }
  return pending;
}

/** Terminates a remembered upload on the server (best effort) and forgets it. */
export async function forgetUpload(key) {
  const url = localStorage.getItem(key);
  localStorage.removeItem(key);
  if (url) await send('DELETE', url, { headers: TUS }).catch(() => null); // gone already is fine
}

const base64 = (bytes) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
const utf8Base64 = (text) => base64(new TextEncoder().encode(text));
async function sha256Base64(blob) {
  return base64(new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())));
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('Cancelled', 'AbortError'));
    }, { once: true });
  });
}

/** Network trouble, offset conflicts, locks, checksum mismatches and 5xx are worth a retry. */
const retryable = (error) => error instanceof ApiError
  && (error.status === 0 || [409, 423, 460].includes(error.status) || error.status >= 500);

export class TusUpload {
  #abort = new AbortController();
  #url = null;
  #fileId = null;

  /** `owner` scopes the remembered URL to one user; `onProgress(bytesSent)` follows every byte. */
  constructor(file, { owner, onProgress }) {
    this.file = file;
    this.key = storeKey(owner, file);
    this.onProgress = onProgress;
  }

  /** Uploads (or resumes) the whole file; resolves to the committed file's id. */
  async start() {
    const info = await discover();
    if (this.file.size > info.maxSize) {
      throw new ApiError(413, 'too_large', `${this.file.name} is larger than the server's limit.`);
    }
    let failures = 0;
    let confirmed = -1; // the highest offset reached so far; passing it again resets the retry budget
    for (;;) {
      let offset = 0;
      try {
        offset = await this.#resumeOffset() ?? await this.#create();
        while (offset < this.file.size) offset = await this.#patch(offset, info.sha256);
        const fileId = this.#fileId ?? await this.#fileIdFromHead();
        localStorage.removeItem(this.key);
        return fileId;
      } catch (error) {
        if (offset > confirmed) {
          confirmed = offset;
          failures = 0;
        }
        if (!retryable(error) || failures >= RETRY_DELAYS_MS.length) throw error;
        await sleep(RETRY_DELAYS_MS[failures], this.#abort.signal);
        failures += 1;
      }
    }
  }

  /** Stops the transfer and terminates the upload on the server (termination extension). */
  async cancel() {
    this.#abort.abort();
    await forgetUpload(this.key);
  }

  #request(method, url, headers, extra = {}) {
    return send(method, url, { headers: { ...TUS, ...headers }, signal: this.#abort.signal, ...extra });
  }

  #noteFileId(xhr) { this.#fileId = xhr.getResponseHeader('X-File-Id') ?? this.#fileId; }

  #forgetURL() {
    this.#url = null;
    localStorage.removeItem(this.key);
  }

  /** The server's offset for a remembered upload, or null when there is none (or it expired). */
  async #resumeOffset() {
    const url = this.#url ?? localStorage.getItem(this.key);
    if (!url) return null;
    const xhr = await this.#request('HEAD', url, {});
    if ([403, 404, 410].includes(xhr.status)) {
      this.#forgetURL();
      return null;
    }
    if (xhr.status >= 300) throw errorFrom(xhr.status, '');
    const offset = Number(xhr.getResponseHeader('Upload-Offset'));
    if (Number(xhr.getResponseHeader('Upload-Length')) !== this.file.size || !Number.isInteger(offset)) {
      this.#forgetURL();
      return null;
    }
    this.#url = url;
    this.#noteFileId(xhr);
    this.onProgress(offset);
    return offset;
  }

  async #create() {
    const metadata = [`filename ${utf8Base64(this.file.name)}`];
    if (this.file.type) metadata.push(`filetype ${utf8Base64(this.file.type)}`);
    const xhr = await this.#request('POST', ENDPOINT, {
      'Upload-Length': String(this.file.size), 'Upload-Metadata': metadata.join(','),
    });
    if (xhr.status !== 201) throw errorFrom(xhr.status, xhr.responseText);
    const location = xhr.getResponseHeader('Location');
    if (!location) throw new ApiError(502, 'bad_gateway', 'The upload server sent no upload URL.');
    this.#url = new URL(location, window.location.href).href; // Location may be relative
    localStorage.setItem(this.key, this.#url);
    this.#noteFileId(xhr);
    this.onProgress(0);
    return 0;
  }

  /** Sends one chunk from `offset`; returns the server's new offset. */
  async #patch(offset, withChecksum) {
    const chunk = this.file.slice(offset, offset + CHUNK_SIZE);
    const headers = { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' };
    if (withChecksum) headers['Upload-Checksum'] = `sha256 ${await sha256Base64(chunk)}`;
    const xhr = await this.#request('PATCH', this.#url, headers, {
      body: chunk, onProgress: (sent) => this.onProgress(offset + Math.min(sent, chunk.size)),
    });
    if (xhr.status === 404 || xhr.status === 410) { // expired on the server: start over
      this.#forgetURL();
      return this.#create();
    }
    if (xhr.status >= 300) throw errorFrom(xhr.status, xhr.responseText);
    const next = Number(xhr.getResponseHeader('Upload-Offset'));
    if (!Number.isInteger(next) || next <= offset || next > this.file.size) {
      throw new ApiError(502, 'bad_gateway', 'The upload server reported an impossible offset.');
    }
    this.#noteFileId(xhr);
    this.onProgress(next);
    return next;
  }

  async #fileIdFromHead() {
    const xhr = await this.#request('HEAD', this.#url, {});
    const fileId = xhr.getResponseHeader('X-File-Id');
    if (!fileId) throw new ApiError(502, 'bad_gateway', 'The upload finished but the server named no file.');
    return fileId;
  }
}
