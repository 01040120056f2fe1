// REST client for /api/v1 (shapes in REST.md). Tokens live in sessionStorage: per tab, gone with it.
// A 401 triggers one refresh (shared by concurrent callers, because refresh tokens are single-use)
// and one retry; if that fails the session is over and the app is told via onSessionLost.

const TOKENS_KEY = 'fileflow.tokens';

/** An error the user can read: the server's `error.message`, or a plain description. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const tokens = {
  get() {
    try { return JSON.parse(sessionStorage.getItem(TOKENS_KEY)); } catch { return null; }
  },
  save(response) {
    sessionStorage.setItem(TOKENS_KEY, JSON.stringify({
      access: response.access_token, refresh: response.refresh_token,
    }));
  },
  clear() { sessionStorage.removeItem(TOKENS_KEY); },
};

let sessionLost = () => {};
/** Registers what to do when the tokens can no longer be refreshed. */
export function onSessionLost(handler) { sessionLost = handler; }

let refreshing = null;
function refreshTokens() {
  refreshing ??= (async () => {
    const refresh = tokens.get()?.refresh;
    if (!refresh) return false;
    const res = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: refresh }),
    });
    if (!res.ok) return false;
    tokens.save(await res.json());
    return true;
  })().catch(() => false).finally(() => { refreshing = null; });
  return refreshing;
}

/**
 * Runs `attempt` (which must read the token afresh) and repeats it once after a refresh on 401;
 * no refresh if another request already renewed the token while this one was under way.
 */
async function withRefresh(attempt) {
  const used = tokens.get()?.access;
  let result = await attempt();
  if (result.status === 401 && tokens.get()) {
    if (tokens.get().access !== used || await refreshTokens()) result = await attempt();
    if (result.status === 401) {
      tokens.clear();
      sessionLost();
    }
  }
  return result;
}

function withAuth(headers) {
  const access = tokens.get()?.access;
  return access ? { ...headers, Authorization: `Bearer ${access}` } : headers;
}

/** Builds an ApiError from a failed response's status and body text. */
export function errorFrom(status, text) {
  let body;
  try { body = JSON.parse(text); } catch { body = null; }
  const error = body?.error;
  if (error?.message) return new ApiError(status, error.code ?? `http_${status}`, error.message);
  if (status === 0) return new ApiError(0, 'network', 'The server cannot be reached. Check your connection.');
  return new ApiError(status, `http_${status}`, `The request failed (HTTP ${status}).`);
}

/** JSON request; resolves to the parsed body (null for 204), rejects with ApiError. */
export async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await withRefresh(() => fetch(path, { ...init, headers: withAuth(init.headers) }));
  } catch {
    throw errorFrom(0, '');
  }
  const text = await res.text();
  if (!res.ok) throw errorFrom(res.status, text);
  return text ? JSON.parse(text) : null;
}

/**
 * XMLHttpRequest for uploads, since fetch cannot report upload progress. Resolves with the
 * finished XHR whatever its status (callers check it); rejects on network failure or abort.
 */
export function send(method, url, { headers = {}, body = null, onProgress, signal } = {}) {
  return withRefresh(() => new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException('Cancelled', 'AbortError'));
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(withAuth(headers))) xhr.setRequestHeader(name, value);
    if (onProgress) xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded));
    xhr.addEventListener('load', () => resolve(xhr));
    xhr.addEventListener('error', () => reject(errorFrom(0, '')));
    xhr.addEventListener('abort', () => reject(new DOMException('Cancelled', 'AbortError')));
    const abort = () => xhr.abort();
    signal?.addEventListener('abort', abort);
    xhr.addEventListener('loadend', () => signal?.removeEventListener('abort', abort));
    xhr.send(body);
  }));
}
