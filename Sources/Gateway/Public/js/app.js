// Entry point: wires the parts together, switches between the signed-out and signed-in views,
// and routes #/files, #/shared and #/admin.

import { initAdmin, hideAdmin, showAdmin } from './admin.js';
import { api, onSessionLost, tokens } from './api.js';
import { initAuth, showAuth } from './auth.js';
import { $, clearError, debounce, formatBytes, showError } from './dom.js';
import { initEvents, startEvents, stopEvents } from './events.js';
import { clearFiles, currentMode, initFiles, loadFiles, refreshFile, showProgress, upsertFile } from './files.js';
import { clearSearch, initSearch } from './search.js';
import { closeShareDialog, initShare } from './share.js';
import { initUpload, startUpload, stopUpload } from './upload.js';

let me = null; // the signed-in user, from /api/v1/users/me

function renderMe() {
  $('#current-user').textContent = me.display_name || me.username;
  const { used_bytes: used, limit_bytes: limit } = me.quota ?? {};
  $('#quota').textContent = limit ? `${formatBytes(used)} of ${formatBytes(limit)}` : `${formatBytes(used)} used`;
  $('#nav-admin').hidden = !me.is_admin;
}

/** Re-reads the profile after files changed, for the quota; a failure waits for the next change. */
const refreshMe = debounce(async () => {
  const fresh = me && await api('GET', '/api/v1/users/me').catch(() => null);
  if (fresh && fresh.user_id === me?.user_id) { // still the same session
    me = fresh;
    renderMe();
  }
}, 1000);

function route() {
  if (!me) return;
  const hash = window.location.hash;
  const page = hash === '#/admin' && me.is_admin ? 'admin' : hash === '#/shared' ? 'shared' : 'files';
  for (const [id, name] of [['#nav-files', 'files'], ['#nav-shared', 'shared'], ['#nav-admin', 'admin']]) {
    if (name === page) $(id).setAttribute('aria-current', 'page');
    else $(id).removeAttribute('aria-current');
  }
  $('#files-view').hidden = page === 'admin';
  $('#admin-view').hidden = page !== 'admin';
  if (page === 'admin') {
    showAdmin();
  } else {
    hideAdmin();
    loadFiles(page === 'shared' ? 'shared' : 'mine').catch(showError);
  }
}

/** Reacts to a live notification: the files table follows what the server reports. */
function onNotification(notification) {
  switch (notification.kind) {
    case 'upload_progress':
      showProgress(notification.file_id, notification.progress);
      break;
    case 'share_received':
      if (currentMode() === 'shared') loadFiles().catch(showError);
      break;
    default: // processing_done, file_deleted, file_quarantined
      if (notification.file_id) refreshFile(notification.file_id).catch(showError);
      refreshMe();
  }
}

function onUploaded(file) {
  if (currentMode() === 'mine') upsertFile(file);
  refreshMe();
}

async function enterApp() {
  try {
    me = await api('GET', '/api/v1/users/me');
  } catch (error) {
    endSession();
    if (error.status !== 401) showError(error); // a 401 was already reported as an expired session
    return;
  }
  renderMe();
  $('#auth-view').hidden = true;
  $('#app-view').hidden = false;
  $('#session-bar').hidden = false;
  startUpload(me.user_id, onUploaded);
  startEvents(onNotification).catch(showError);
  route();
}

/** Forgets everything about the signed-in user and shows the sign-in form. */
function endSession(message) {
  me = null;
  tokens.clear();
  stopEvents();
  stopUpload().catch(() => null); // the session is over: a failed termination cannot be retried
  hideAdmin();
  clearFiles();
  clearSearch();
  closeShareDialog();
  $('#app-view').hidden = true;
  $('#session-bar').hidden = true;
  showAuth(message);
}

async function signOut() {
  await stopUpload(); // while the token still works, so that a running TUS upload is terminated
  await api('POST', '/api/v1/auth/logout').catch(() => null); // signing out locally matters most
  clearError();
  endSession('You are signed out.');
}

function init() {
  initAuth(enterApp);
  initFiles();
  initShare();
  initUpload();
  initSearch();
  initEvents();
  initAdmin();
  $('#sign-out').addEventListener('click', signOut);
  $('#error-dismiss').addEventListener('click', clearError);
  window.addEventListener('hashchange', route);
  onSessionLost(() => {
    if (me) endSession();
    showError(new Error('Your session has expired. Please sign in again.'));
  });
  if (tokens.get()) enterApp();
  else showAuth();
}

init();
