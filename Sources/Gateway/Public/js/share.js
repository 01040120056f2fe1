// The share dialog: grant a user read or write access to one of the caller's files, list the
// current shares and revoke them. A native <dialog> gives focus trapping and Escape for free.

import { api } from './api.js';
import { $, h } from './dom.js';

let current = null; // the file being shared

const sharesURL = (fileId) => `/api/v1/files/${encodeURIComponent(fileId)}/shares`;
const PERMISSION_TEXT = { read: 'can view', write: 'can edit' };

function setError(error) {
  $('#share-error').textContent = error?.message ?? '';
  $('#share-error').hidden = !error;
}

function shareEntry(share) {
  return h('li', { 'data-testid': 'share-entry', 'data-username': share.username },
    h('span', {}, share.username), ' ',
    h('small', { class: 'muted' }, PERMISSION_TEXT[share.permission] ?? share.permission),
    h('button', {
      type: 'button', class: 'ghost danger', 'data-testid': 'revoke-button',
      'aria-label': `Stop sharing with ${share.username}`, onclick: () => revoke(share.username),
    }, 'Remove'));
}

function renderShares(shares) {
  $('#share-list').replaceChildren(...(shares.length
    ? shares.map(shareEntry)
    : [h('li', { class: 'muted' }, 'Not shared with anyone yet.')]));
}

async function loadShares(fileId) {
  const { shares } = await api('GET', sharesURL(fileId));
  if (current?.file_id === fileId) renderShares(shares);
}

async function revoke(username) {
  const fileId = current.file_id;
  setError(null);
  try {
    await api('DELETE', `${sharesURL(fileId)}/${encodeURIComponent(username)}`);
    await loadShares(fileId);
  } catch (error) {
    setError(error);
  }
}

async function submit(event) {
  event.preventDefault();
  const username = $('#share-username').value.trim();
  if (!username) {
    setError(new Error('Enter the username to share with.'));
    $('#share-username').focus();
    return;
  }
  const fileId = current.file_id;
  setError(null);
  $('#share-submit').disabled = true;
  try {
    await api('POST', sharesURL(fileId), { username, permission: $('#share-permission').value });
    $('#share-username').value = '';
    await loadShares(fileId);
  } catch (error) {
    setError(error);
  } finally {
    $('#share-submit').disabled = false;
  }
}

export function openShareDialog(file) {
  current = file;
  $('#share-file-name').textContent = file.name;
  $('#share-username').value = '';
  $('#share-list').replaceChildren();
  setError(null);
  $('#share-dialog').showModal();
  loadShares(file.file_id).catch(setError);
}

export function closeShareDialog() {
  if ($('#share-dialog').open) $('#share-dialog').close();
}

export function initShare() {
  $('#share-form').addEventListener('submit', submit);
  $('#share-close').addEventListener('click', closeShareDialog);
  $('#share-dialog').addEventListener('close', () => { current = null; });
}
