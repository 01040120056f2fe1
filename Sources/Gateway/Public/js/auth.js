// Sign-up and sign-in forms. Sign-up does not sign in by itself: it prefills the sign-in form,
// so that the password manager sees a normal login and the flow stays one request per step.

import { api, tokens } from './api.js';
import { $, clearError, showError } from './dom.js';

/** Disables the form's button while `work` runs, and reports its error in the alert area. */
async function submitting(form, work) {
  const button = form.querySelector('button[type=submit]');
  clearError();
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

function filled(...fields) {
  const empty = fields.find((field) => !field.value.trim());
  if (!empty) return true;
  showError(new Error(`Please enter your ${empty.labels[0]?.textContent.trim().toLowerCase() ?? 'details'}.`));
  empty.focus();
  return false;
}

export function showAuth(message) {
  $('#auth-message').textContent = message ?? '';
  $('#auth-message').hidden = !message;
  $('#auth-view').hidden = false;
  $('#signin-username').focus();
}

export function initAuth(onSignedIn) {
  const signIn = $('#signin-form');
  signIn.addEventListener('submit', (event) => {
    event.preventDefault();
    const username = $('#signin-username');
    const password = $('#signin-password');
    if (!filled(username, password)) return;
    submitting(signIn, async () => {
      tokens.save(await api('POST', '/api/v1/auth/login', { username: username.value.trim(), password: password.value }));
      password.value = '';
      $('#auth-message').hidden = true;
      await onSignedIn();
    });
  });

  const signUp = $('#signup-form');
  signUp.addEventListener('submit', (event) => {
    event.preventDefault();
    const username = $('#signup-username');
    const password = $('#signup-password');
    const email = $('#signup-email');
    if (!filled(username, password)) return;
    submitting(signUp, async () => {
      const body = { username: username.value.trim(), password: password.value };
      if (email.value.trim()) body.email = email.value.trim();
      await api('POST', '/api/v1/auth/register', body);
      $('#auth-message').textContent = `Account ${body.username} created. Sign in to continue.`;
      $('#auth-message').hidden = false;
      $('#signin-username').value = body.username;
      signUp.reset();
      $('#signin-password').focus();
    });
  });
}
