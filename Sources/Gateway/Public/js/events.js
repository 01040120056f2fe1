// Live notifications: an EventSource on /api/v1/events (authenticated by the ff_access cookie,
// since EventSource cannot send headers) feeding toasts and the notifications inbox.
// EventSource reconnects by itself and sends Last-Event-ID. It gives up only when the server
// answers with an error status (e.g. 401 after the token expired); then we make one API call,
// which refreshes the token and so the cookie, and reopen with ?last_event_id= to miss nothing.

import { api } from './api.js';
import { $, h, showError, timeElement } from './dom.js';
import { toast } from './toasts.js';

const KINDS = ['upload_progress', 'processing_done', 'share_received', 'file_deleted', 'file_quarantined'];
const RETRY_MS = [2000, 5000, 10000, 30000];
const LIVE_TEXT = { open: 'live', connecting: 'connecting…', closed: 'offline' };

const idle = () => ({ source: null, handler: null, lastId: null, retries: 0, timer: null });
const live = idle();
let generation = 0; // bumped at every stop, so that a start still loading knows it is stale
const seen = new Set(); // notification ids already shown, so that replays after a reconnect stay quiet
const unread = new Map(); // notification id -> inbox <li>

function setLive(state) {
  $('#live-status').dataset.state = state;
  $('#live-status .live-text').textContent = LIVE_TEXT[state];
}

function updateCount() {
  $('#notifications-count').textContent = String(unread.size);
  $('#notifications-count').hidden = unread.size === 0;
  $('#notifications-button').setAttribute('aria-label',
    unread.size ? `Notifications, ${unread.size} unread` : 'Notifications');
}

function addToInbox(notification, { prepend }) {
  const li = h('li', {
    'data-testid': 'notification', 'data-notification-id': notification.notification_id,
    'data-kind': notification.kind, class: notification.read ? null : 'unread',
  }, h('strong', {}, notification.title ?? ''), notification.body ? h('p', {}, notification.body) : null,
  timeElement(notification.created_at));
  if (prepend) $('#notifications-list').prepend(li);
  else $('#notifications-list').append(li);
  if (!notification.read) unread.set(notification.notification_id, li);
  updateCount();
}

/** Marks everything unread as read, once the user has opened the inbox and so seen it. */
async function markAllRead() {
  try {
    await Promise.all([...unread].map(async ([id, li]) => {
      await api('POST', `/api/v1/notifications/${encodeURIComponent(id)}/read`);
      li.classList.remove('unread');
      unread.delete(id);
    }));
  } finally {
    updateCount();
  }
}

function receive(event, eventKind) {
  let notification;
  try {
    notification = JSON.parse(event.data);
  } catch {
    return; // a malformed event carries nothing we could show
  }
  if (event.lastEventId) live.lastId = event.lastEventId;
  const kind = notification.kind ?? eventKind;
  live.handler?.({ ...notification, kind });
  if (kind === 'upload_progress' || seen.has(notification.notification_id)) return;
  seen.add(notification.notification_id);
  addToInbox({ ...notification, kind }, { prepend: true });
  toast({ title: notification.title, body: notification.body, kind, fileId: notification.file_id });
}

function connect() {
  const url = live.lastId ? `/api/v1/events?last_event_id=${encodeURIComponent(live.lastId)}` : '/api/v1/events';
  const source = new EventSource(url);
  live.source = source;
  setLive('connecting');
  source.addEventListener('open', () => {
    live.retries = 0;
    setLive('open');
  });
  for (const kind of [...KINDS, 'message']) source.addEventListener(kind, (event) => receive(event, kind));
  source.addEventListener('error', () => {
    if (source.readyState !== EventSource.CLOSED) { // the browser is already reconnecting
      setLive('connecting');
      return;
    }
    setLive('closed');
    const delay = RETRY_MS[Math.min(live.retries, RETRY_MS.length - 1)];
    live.retries += 1;
    live.timer = setTimeout(async () => {
      await api('GET', '/api/v1/users/me').catch(() => null); // renews the cookie if it had expired
      if (live.handler) connect(); // unless the session ended meanwhile
    }, delay);
  });
}

/** Loads the stored notifications (kept while offline), then opens the live stream. */
export async function startEvents(handler) {
  const started = generation;
  live.handler = handler;
  try {
    const { notifications } = await api('GET', '/api/v1/notifications?limit=20');
    if (started !== generation) return;
    for (const notification of notifications) {
      seen.add(notification.notification_id);
      addToInbox(notification, { prepend: false });
    }
  } finally {
    if (started === generation) connect(); // live updates even if the inbox failed to load
  }
}

export function stopEvents() {
  live.source?.close();
  clearTimeout(live.timer);
  Object.assign(live, idle());
  generation += 1;
  seen.clear();
  unread.clear();
  $('#notifications-list').replaceChildren();
  $('#notifications-panel').hidden = true;
  $('#notifications-button').setAttribute('aria-expanded', 'false');
  updateCount();
  setLive('closed');
}

function togglePanel(open) {
  $('#notifications-panel').hidden = !open;
  $('#notifications-button').setAttribute('aria-expanded', String(open));
  if (open) markAllRead().catch(showError);
}

export function initEvents() {
  $('#notifications-button').addEventListener('click', () => togglePanel($('#notifications-panel').hidden));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('#notifications-panel').hidden) {
      togglePanel(false);
      $('#notifications-button').focus();
    }
  });
  document.addEventListener('click', (event) => {
    if (!event.target.closest('.inbox') && !$('#notifications-panel').hidden) togglePanel(false);
  });
}
