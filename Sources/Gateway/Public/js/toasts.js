// Toasts: short-lived messages in the #toasts live region. They stay while hovered or focused,
// so that nobody has to race a timer to read one or press its button.

import { $, h } from './dom.js';

const LIFETIME_MS = 10000;

/**
 * Shows a toast. `kind` is a notification kind (or "info"); `action` is an optional
 * {label, run} button, e.g. "Undo".
 */
export function toast({ title, body, kind = 'info', fileId, action }) {
  let timer;
  const close = () => {
    clearTimeout(timer);
    el.remove();
  };
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(close, LIFETIME_MS);
  };
  const el = h('div', { class: `toast toast-${kind}`, 'data-testid': 'toast', 'data-kind': kind, 'data-file-id': fileId },
    h('div', { class: 'toast-text' }, h('strong', {}, title ?? ''), body ? h('p', {}, body) : null),
    action ? h('button', {
      type: 'button', class: 'ghost', 'data-testid': 'toast-action',
      onclick: () => { close(); action.run(); },
    }, action.label) : null,
    h('button', {
      type: 'button', class: 'ghost', 'data-testid': 'toast-close', 'aria-label': 'Dismiss notification', onclick: close,
    }, '×'));
  for (const pause of ['mouseenter', 'focusin']) el.addEventListener(pause, () => clearTimeout(timer));
  for (const resume of ['mouseleave', 'focusout']) el.addEventListener(resume, arm);
  $('#toasts').prepend(el);
  arm();
}
