// The Portico try-it page: plain script, same-origin calls with the session cookie.
'use strict';

const ERRORS = {
  access_denied: 'Sign-in was cancelled at the provider.',
  state_missing: 'The sign-in expired or started in another browser. Please try again.',
  state_invalid: 'The sign-in could not be verified. Please try again.',
  state_expired: 'The sign-in took too long. Please try again.',
  state_mismatch: 'The sign-in response did not match this browser. Please try again.',
  state_reused: 'That sign-in response was already used. Please sign in again.',
  invalid_callback: 'The provider sent an incomplete response. Please try again.',
  code_rejected: 'The provider refused the sign-in code. Please try again.',
  provider_error: 'The provider reported an error.',
  provider_unavailable: 'The provider could not be reached. Please try again later.',
  signup_not_allowed: 'This account may not sign up here. Ask an administrator to allow your address.',
  account_disabled: 'This account has been disabled.',
  login_failed: 'Sign-in failed. Please try again.',
};

const $ = (id) => document.getElementById(id);

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = message === '';
}

async function problemText(res) {
  try {
    const body = await res.json();
    return body.detail || body.title || `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** fetch that refreshes the session once when the access token has expired. */
async function api(path, options = {}) {
  let res = await fetch(path, { credentials: 'same-origin', ...options });
  if (res.status === 401 && path !== '/auth/refresh') {
    const refreshed = await fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' });
    if (refreshed.ok) res = await fetch(path, { credentials: 'same-origin', ...options });
  }
  return res;
}

async function loadProviders() {
  const list = $('providers');
  list.replaceChildren();
  const res = await fetch('/auth/providers');
  const { providers } = res.ok ? await res.json() : { providers: [] };
  if (providers.length === 0) {
    $('signin-status').textContent =
      'Sign-in is not configured (set GOOGLE_CLIENT_ID/SECRET or GITHUB_CLIENT_ID/SECRET).';
    return;
  }
  $('signin-status').textContent = 'Choose a provider:';
  for (const provider of providers) {
    const link = document.createElement('a');
    link.className = 'signin';
    link.href = provider.loginUrl;
    link.textContent = `Sign in with ${provider.label}`;
    const item = document.createElement('li');
    item.append(link);
    list.append(item);
  }
}

async function loadMe() {
  const res = await api('/auth/me');
  const signedIn = res.ok;
  $('account').hidden = !signedIn;
  $('signin').hidden = signedIn;
  if (!signedIn) {
    $('files').hidden = true;
    $('email').hidden = true;
    return;
  }
  const me = await res.json();
  // Show only what this user may do (AUTH_USER_SCOPES): by default users keep files but do not send email.
  const may = (scope) => me.scopes.includes(scope) || me.scopes.includes('admin');
  $('files').hidden = !(may('files:write') && may('files:read'));
  $('email').hidden = !may('emails:send');
  $('me-name').textContent = me.name || me.email || me.id;
  $('me-email').textContent = me.email ? `(${me.email})` : '';
  $('me').textContent = JSON.stringify(me, null, 2);
  if (me.email && $('email-to').value === '') $('email-to').value = me.email;
}

async function upload(event) {
  event.preventDefault();
  const out = $('upload-result');
  const file = $('file').files[0];
  if (!file) return;
  out.textContent = 'Uploading…';
  const form = new FormData();
  form.append('file', file);
  const res = await api('/files', { method: 'POST', body: form });
  if (res.status !== 201) {
    out.textContent = `Upload failed: ${await problemText(res)}`;
    return;
  }
  const stored = await res.json();
  const linkRes = await api(`/files/${encodeURIComponent(stored.id)}/download-url`);
  if (!linkRes.ok) {
    out.textContent = `Uploaded (${stored.id}), but no download link: ${await problemText(linkRes)}`;
    return;
  }
  const { url, expiresAt } = await linkRes.json();
  const link = document.createElement('a');
  link.id = 'download-link';
  link.href = url;
  link.textContent = `Download ${file.name}`;
  out.replaceChildren(link, document.createTextNode(` (${stored.size} bytes, link valid until ${expiresAt})`));
}

async function queueEmail(event) {
  event.preventDefault();
  const out = $('email-result');
  out.textContent = 'Queueing…';
  const res = await api('/emails', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ to: [$('email-to').value], subject: $('email-subject').value, text: $('email-text').value }),
  });
  if (res.status !== 202) {
    out.textContent = `Not queued: ${await problemText(res)}`;
    return;
  }
  const body = await res.json();
  out.textContent = `Queued${body.id ? ` as ${body.id}` : ''}.`;
}

async function logout() {
  await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
  $('upload-result').textContent = '';
  $('email-result').textContent = '';
  await loadMe();
}

document.addEventListener('DOMContentLoaded', () => {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('error');
  if (code) {
    showError(ERRORS[code] || `Sign-in failed (${code}).`);
    // Keep the address bar clean for reloads.
    window.history.replaceState(null, '', window.location.pathname);
  }
  $('upload-form').addEventListener('submit', upload);
  $('email-form').addEventListener('submit', queueEmail);
  $('logout').addEventListener('click', logout);
  Promise.all([loadProviders(), loadMe()]).catch((error) => showError(String(error)));
});
