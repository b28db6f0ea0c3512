// The Portico operator console: plain script, same-origin calls to /admin/* with the session cookie.
// No API key ever reaches the page; every data route needs the `admin` scope.
'use strict';

/** Live panels (overview, dead letters, Stripe events, emails) refresh this often; the rest every SLOW_EVERY ticks. */
const POLL_MS = 5000;
const SLOW_EVERY = 6;

const $ = (id) => document.getElementById(id);

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function problemText(res) {
  try {
    const body = await res.json();
    return body.detail || body.title || `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** fetch with the session cookie; refreshes the session once when the access token has expired. */
async function api(path, options = {}) {
  let res = await fetch(path, { credentials: 'same-origin', ...options });
  if (res.status === 401) {
    const refreshed = await fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' });
    if (refreshed.ok) res = await fetch(path, { credentials: 'same-origin', ...options });
  }
  return res;
}

async function getJson(path) {
  const res = await api(path);
  if (!res.ok) throw new ApiError(res.status, await problemText(res));
  return res.json();
}

/** POSTs an admin action; the browser adds Origin, which the CSRF check for cookie writes requires. */
async function post(path) {
  const res = await api(path, { method: 'POST' });
  if (!res.ok) throw new ApiError(res.status, await problemText(res));
  return res.json();
}

function announce(message) {
  $('announce').textContent = message;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = message === '';
}

// ---- formatting ----

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const when = (iso) => (iso ? dateTime.format(new Date(iso)) : '—');
const orDash = (value) => (value === null || value === undefined || value === '' ? '—' : String(value));
const percent = (ratio) => (ratio === null ? '—' : `${(ratio * 100).toFixed(1)} %`);
const ms = (value) => (value === null ? '—' : `${value} ms`);

function age(seconds) {
  if (seconds === null) return '—';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function money(amount, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(
      amount / 100,
    );
  } catch {
    return `${amount} ${currency}`;
  }
}

function bytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 / 1024).toFixed(1)} MiB`;
}

// ---- rendering ----

/** A state shown as a word in a tinted badge (never by colour alone). */
function badge(text, tone) {
  const span = document.createElement('span');
  span.className = `badge badge-${tone}`;
  span.textContent = text;
  return span;
}

const TONES = {
  up: 'good',
  closed: 'good',
  done: 'good',
  sent: 'good',
  delivered: 'good',
  succeeded: 'good',
  ready: 'good',
  processed: 'good',
  degraded: 'bad',
  open: 'bad',
  dead: 'bad',
  failed: 'bad',
  bounced: 'bad',
  dropped: 'bad',
  half_open: 'warn',
  not_configured: 'muted',
  unknown: 'muted',
};
const statusBadge = (status) => badge(status.replace('_', ' '), TONES[status] || 'neutral');

function actionButton(label, accessibleName, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.setAttribute('aria-label', accessibleName);
  button.addEventListener('click', () => {
    button.disabled = true;
    Promise.resolve(onClick())
      .catch((error) => showError(error.message))
      .finally(() => {
        button.disabled = false;
      });
  });
  return button;
}

/**
 * Replaces a table body with one row per item, unless the data is unchanged
 * (so polling does not move the focus or the screen reader's place).
 */
const rendered = new Map();
function renderRows(tbodyId, items, columns, emptyText, key = JSON.stringify(items)) {
  if (rendered.get(tbodyId) === key) return;
  rendered.set(tbodyId, key);
  const body = $(tbodyId);
  const headers = [...body.closest('table').querySelectorAll('thead th')].map((th) => th.textContent);
  if (items.length === 0) {
    const cell = document.createElement('td');
    cell.colSpan = headers.length;
    cell.className = 'empty';
    cell.textContent = emptyText;
    const row = document.createElement('tr');
    row.append(cell);
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(
    ...items.map((item) => {
      const row = document.createElement('tr');
      columns(item).forEach((content, i) => {
        const cell = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) cell.scope = 'row';
        // The phone layout shows each cell under its column's name.
        cell.dataset.label = headers[i];
        if (content instanceof Node) cell.append(content);
        else if (Array.isArray(content)) {
          // One grid item in the phone layout, however many buttons.
          const group = document.createElement('span');
          group.append(...content);
          cell.append(group);
        } else cell.textContent = orDash(content);
        row.append(cell);
      });
      return row;
    }),
  );
}

function code(text) {
  const element = document.createElement('code');
  element.textContent = text;
  return element;
}

function preview(text) {
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  const pre = document.createElement('pre');
  pre.textContent = text;
  details.append(summary, pre);
  return details;
}

// ---- panels ----

async function loadOverview() {
  const overview = await getJson('/admin/overview');
  $('providers-window').textContent =
    `Rates over the last ${overview.windowSeconds} s, from this instance’s metrics (read ${when(overview.generatedAt)}).`;
  renderRows(
    'providers-body',
    overview.providers,
    (p) => [
      p.name,
      statusBadge(p.readiness),
      statusBadge(p.breaker),
      p.callsPerMinute === null ? '—' : String(p.callsPerMinute),
      percent(p.errorRate),
      ms(p.p95Ms),
      `${p.callsTotal} (${p.errorsTotal})`,
    ],
    'No provider is registered.',
  );
  renderRows(
    'queues-body',
    overview.queues,
    (q) => [
      q.name,
      String(q.pending),
      String(q.processing),
      q.dead > 0 ? badge(String(q.dead), 'bad') : '0',
      String(q.done),
      age(q.oldestPendingAgeSeconds),
    ],
    'No durable queue is registered.',
  );
}

async function loadDeadLetters() {
  const { items } = await getJson('/admin/dead-letters?limit=20');
  renderRows(
    'dead-letters-body',
    // Queues with their own replay route (emails) call it a retry.
    items.map((d) => ({ ...d, verb: d.replayPath.endsWith('/retry') ? 'Retry' : 'Replay' })),
    (d) => [
      d.queue,
      when(d.deadAt),
      String(d.attempts),
      orDash(d.lastError),
      preview(d.preview),
      actionButton(d.verb, `${d.verb} ${d.queue} row ${d.id}`, async () => {
        await post(d.replayPath);
        announce(`Queued ${d.queue} row ${d.id} again.`);
        await refreshLive();
      }),
    ],
    'No dead letters.',
  );
}

async function loadStripeEvents() {
  const page = await getJson('/admin/webhooks/stripe/events?limit=20');
  const counts = Object.entries(page.counts || {})
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  $('stripe-counts').textContent = counts === '' ? 'No events stored.' : `In the inbox: ${counts}.`;
  renderRows(
    'stripe-events-body',
    page.items,
    (e) => [
      code(e.eventId),
      e.type,
      statusBadge(e.status),
      String(e.attempts),
      when(e.receivedAt),
      when(e.processedAt),
      orDash(e.lastError),
      e.status === 'dead' || e.status === 'done'
        ? actionButton('Replay', `Replay Stripe event ${e.eventId}`, async () => {
            await post(`/admin/webhooks/stripe/events/${encodeURIComponent(e.eventId)}/replay`);
            announce(`Stripe event ${e.eventId} queued again.`);
            await refreshLive();
          })
        : '',
    ],
    'No Stripe events yet.',
  );
}

function emailQuery() {
  const params = new URLSearchParams({ limit: '20' });
  const to = $('email-to').value.trim();
  const status = $('email-status').value;
  if (to !== '') params.set('to', to);
  if (status !== '') params.set('status', status);
  return params;
}

async function loadEmails() {
  const page = await getJson(`/admin/emails?${emailQuery()}`);
  renderRows(
    'emails-body',
    page.items,
    (m) => [
      m.to.join(', '),
      orDash(m.subject ?? m.templateId),
      statusBadge(m.status),
      String(m.attempts),
      when(m.createdAt),
      orDash(m.lastError),
      [
        actionButton('History', `History of the email to ${m.to.join(', ')} (${m.id})`, () => showEmailHistory(m.id)),
        ...(m.status === 'failed'
          ? [
              actionButton('Retry', `Retry the email to ${m.to.join(', ')} (${m.id})`, async () => {
                await post(`/admin/emails/${encodeURIComponent(m.id)}/retry`);
                announce(`Email ${m.id} queued again.`);
                await refreshLive();
              }),
            ]
          : []),
      ],
    ],
    'No emails match.',
  );
}

function showHistory(prefix, title, entries) {
  $(`${prefix}-history-h`).textContent = title;
  $(`${prefix}-history-list`).replaceChildren(
    ...entries.map(([at, text]) => {
      const item = document.createElement('li');
      const time = document.createElement('time');
      time.dateTime = at;
      time.textContent = when(at);
      item.append(time, document.createTextNode(` ${text}`));
      return item;
    }),
  );
  $(`${prefix}-history`).hidden = false;
  $(`${prefix}-history-h`).focus();
}

async function showEmailHistory(id) {
  const email = await getJson(`/emails/${encodeURIComponent(id)}`);
  showHistory(
    'email',
    `History of the email to ${email.to.join(', ')}`,
    email.history.map((h) => [h.at, `${h.status}${h.detail ? ` ${JSON.stringify(h.detail)}` : ''}`]),
  );
}

async function loadPayments() {
  const page = await getJson('/payments?limit=20');
  renderRows(
    'payments-body',
    page.items,
    (p) => [
      code(p.id),
      money(p.amount, p.currency),
      money(p.amountRefunded, p.currency),
      statusBadge(p.status),
      when(p.createdAt),
      actionButton('History', `History of payment ${p.id}`, () => showPaymentHistory(p.id)),
    ],
    'No payments yet.',
  );
}

async function showPaymentHistory(id) {
  const payment = await getJson(`/payments/${encodeURIComponent(id)}`);
  const entries = [
    ...payment.history.map((h) => [h.occurredAt, `${h.status} (${h.source}${h.eventId ? `, ${h.eventId}` : ''})`]),
    ...payment.refunds.map((r) => [r.createdAt, `refund of ${money(r.amount, r.currency)}: ${r.status}`]),
  ].sort(([a], [b]) => a.localeCompare(b));
  showHistory('payment', `History of payment ${payment.id} (${money(payment.amount, payment.currency)})`, entries);
}

async function loadFiles() {
  const page = await getJson('/files?limit=20');
  renderRows(
    'files-body',
    page.items,
    (f) => [f.filename, f.contentType, bytes(f.size), statusBadge(f.status), when(f.createdAt)],
    'No files yet.',
  );
}

async function loadApiKeys() {
  const { items } = await getJson('/admin/api-keys');
  renderRows(
    'api-keys-body',
    items,
    (k) => [
      k.name,
      k.scopes.length === 0 ? 'none' : k.scopes.join(', '),
      k.source,
      when(k.lastUsedAt),
      when(k.expiresAt),
      k.revokedAt ? badge(`revoked ${when(k.revokedAt)}`, 'bad') : 'no',
      k.revokedAt
        ? ''
        : actionButton('Revoke', `Revoke API key ${k.name}`, async () => {
            if (!window.confirm(`Revoke the API key "${k.name}"? Callers using it get 401 from now on.`)) return;
            await post(`/admin/api-keys/${encodeURIComponent(k.name)}/revoke`);
            announce(`API key ${k.name} revoked.`);
            await loadApiKeys();
          }),
    ],
    'No API keys.',
  );
}

async function loadUsers() {
  const { items } = await getJson('/admin/users?limit=50');
  renderRows(
    'users-body',
    items,
    (u) => [
      orDash(u.email),
      orDash(u.name),
      u.scopes.join(', '),
      when(u.createdAt),
      u.disabledAt ? badge(`disabled ${when(u.disabledAt)}`, 'bad') : 'no',
      u.disabledAt
        ? ''
        : actionButton('Disable', `Disable user ${u.email || u.id}`, async () => {
            if (!window.confirm(`Disable ${u.email || u.id}? Their sessions end now and they cannot sign in.`)) return;
            await post(`/admin/users/${encodeURIComponent(u.id)}/disable`);
            announce(`User ${u.email || u.id} disabled.`);
            await loadUsers();
          }),
    ],
    'No users yet.',
  );
}

// ---- polling ----

const live = [loadOverview, loadDeadLetters, loadStripeEvents, loadEmails];
const slow = [loadPayments, loadFiles, loadApiKeys, loadUsers];
let tick = 0;
let paused = false;
let timer;

async function run(loaders) {
  const results = await Promise.allSettled(loaders.map((load) => load()));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure === undefined) {
    showError('');
    $('updated').textContent = `Updated ${when(new Date().toISOString())}`;
    return;
  }
  const error = failure.reason;
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    denied(error.status);
    return;
  }
  showError(`Could not refresh: ${error.message}`);
}

const refreshLive = () => run(live);

async function poll() {
  clearTimeout(timer);
  await run(tick % SLOW_EVERY === 0 ? [...live, ...slow] : live);
  tick += 1;
  if (!paused && !$('panels').hidden) timer = setTimeout(poll, POLL_MS);
}

function denied(status) {
  clearTimeout(timer);
  $('panels').hidden = true;
  $('sections').hidden = true;
  $('access').hidden = false;
  $('access-text').textContent =
    status === 401
      ? 'You are not signed in.'
      : 'Your account does not have the admin scope (AUTH_ADMIN_EMAILS lists who has it).';
}

async function start() {
  const res = await api('/auth/me');
  if (!res.ok) return denied(401);
  const me = await res.json();
  if (!me.scopes.includes('admin')) return denied(403);
  $('whoami').textContent = `Signed in as ${me.email || me.name || me.id}`;
  $('panels').hidden = false;
  $('sections').hidden = false;
  await poll();
}

document.addEventListener('DOMContentLoaded', () => {
  $('email-search').addEventListener('submit', (event) => {
    event.preventDefault();
    loadEmails()
      .then(() => announce('Email list updated.'))
      .catch((error) => showError(error.message));
  });
  $('refresh').addEventListener('click', () => {
    run([...live, ...slow])
      .then(() => announce('Everything refreshed.'))
      .catch((error) => showError(String(error)));
  });
  $('pause').addEventListener('click', () => {
    paused = !paused;
    $('pause').setAttribute('aria-pressed', String(paused));
    $('pause').textContent = paused ? 'Resume updates' : 'Pause updates';
    if (paused) clearTimeout(timer);
    else poll().catch((error) => showError(String(error)));
  });
  start().catch((error) => showError(String(error)));
});
