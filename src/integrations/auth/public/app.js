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
  id_token_invalid: 'The provider’s identity token could not be verified. Please try again.',
  identity_in_use: 'That provider account is already linked to another user.',
  provider_already_linked: 'Another account of that provider is already linked. Unlink it first.',
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

/** The configured providers (`/auth/providers`), loaded once. */
let providersLoaded;
function configuredProviders() {
  providersLoaded ??= fetch('/auth/providers')
    .then((res) => (res.ok ? res.json() : { providers: [] }))
    .then((body) => body.providers);
  return providersLoaded;
}

async function loadProviders() {
  const list = $('providers');
  list.replaceChildren();
  const providers = await configuredProviders();
  if (providers.length === 0) {
    $('signin-status').textContent =
      'Sign-in is not configured (set GOOGLE_CLIENT_ID/SECRET, GITHUB_CLIENT_ID/SECRET or OIDC_PROVIDERS).';
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
  await loadIdentities();
}

/** Linked identities with an Unlink button each, and a Link link for every provider not linked yet. */
async function loadIdentities() {
  const res = await api('/auth/identities');
  if (!res.ok) return;
  const { identities } = await res.json();
  const providers = await configuredProviders();
  const labelOf = (name) => providers.find((p) => p.name === name)?.label ?? name;
  const list = $('identities');
  list.replaceChildren();
  for (const identity of identities) {
    const item = document.createElement('li');
    const status = identity.status === 'reconnect_required' ? ' — sign in with it again to reconnect' : '';
    item.textContent = `${labelOf(identity.provider)}${identity.email ? ` (${identity.email})` : ''}${status} `;
    const unlink = document.createElement('button');
    unlink.type = 'button';
    unlink.textContent = `Unlink ${labelOf(identity.provider)}`;
    unlink.addEventListener('click', () => unlinkIdentity(identity.id));
    item.append(unlink);
    list.append(item);
  }
  const links = $('link-providers');
  links.replaceChildren();
  for (const provider of providers.filter((p) => !identities.some((i) => i.provider === p.name))) {
    const link = document.createElement('a');
    link.href = `/auth/${encodeURIComponent(provider.name)}/link`;
    link.textContent = `Link ${provider.label}`;
    const item = document.createElement('li');
    item.append(link);
    links.append(item);
  }
}

async function unlinkIdentity(id) {
  const res = await api(`/auth/identities/${encodeURIComponent(id)}`, { method: 'DELETE' });
  if (res.status !== 204) {
    showError(`Not unlinked: ${await problemText(res)}`);
    return;
  }
  showError('');
  await loadMe();
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
