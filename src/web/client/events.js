// Live events: polls the page's JSON twin and puts events it has not shown yet at the top.
const list = document.getElementById('event-list');
const status = document.getElementById('live-status');
const POLL_MS = 2000;
const MAX_ROWS = 500;

const zone = document.querySelector('.tz-switch')?.dataset.timezone ?? 'UTC';
const wallClock = new Intl.DateTimeFormat('sv-SE', {
  timeZone: zone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const zoneName = (d) =>
  new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName')?.value ?? zone;

/** A time in the project's zone, labelled, as the server's Time component renders it. */
function time(iso) {
  const d = new Date(iso);
  const t = document.createElement('time');
  t.dateTime = d.toISOString();
  t.title = `${d.toISOString()} · ${zone}`;
  t.append(`${wallClock.format(d)} `, span('tz', zoneName(d)));
  return t;
}

/** The properties as the server's PropertyTable: one row per key, sorted. */
function propertyTable(properties) {
  const table = document.createElement('table');
  table.className = 'props';
  const body = document.createElement('tbody');
  for (const key of Object.keys(properties).sort()) {
    const row = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = key;
    const td = document.createElement('td');
    const v = properties[key];
    td.append(typeof v === 'string' ? span('str', v) : code(JSON.stringify(v)));
    row.append(th, td);
    body.append(row);
  }
  table.append(body);
  return table;
}

function code(text) {
  const c = document.createElement('code');
  c.textContent = text;
  return c;
}

function span(cls, text) {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

function link(href, text) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

/** The same markup as the server's EventListItem (src/web/pages/events.tsx). */
function eventRow(e) {
  const li = document.createElement('li');
  li.className = 'event fresh';
  li.dataset.uuid = e.id;
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.append(span('name', e.event), ' ', span('id', e.distinct_id), ' ');
  for (const [key, cls] of [
    ['$current_url', 'url'],
    ['$browser', 'browser'],
    ['$lib', 'lib'],
  ]) {
    const v = e.properties?.[key];
    if (typeof v === 'string' && v !== '') summary.append(span(cls, v));
  }
  summary.append(' ', time(e.timestamp));
  const links = document.createElement('p');
  links.className = 'links';
  links.append(
    link(`${list.dataset.eventBase}/${encodeURIComponent(e.id)}`, 'Event'),
    ' · ',
    link(`${list.dataset.personBase}/${encodeURIComponent(e.person_id)}`, 'Person'),
  );
  details.append(summary, links, propertyTable(e.properties ?? {}));
  li.append(details);
  return li;
}

async function poll() {
  try {
    const res = await fetch(list.dataset.live, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (res.status === 401) {
      status.textContent = 'Signed out: reload to sign in again.';
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const { results } = await res.json();
    const shown = new Set([...list.children].map((li) => li.dataset.uuid));
    // Oldest first, so the newest ends up on top.
    const fresh = results.filter((e) => !shown.has(e.id)).reverse();
    for (const e of fresh) list.prepend(eventRow(e));
    while (list.children.length > MAX_ROWS) list.lastElementChild.remove();
    if (fresh.length > 0) document.getElementById('no-events')?.remove();
    const news = fresh.length ? `, ${fresh.length} new` : '';
    status.textContent = `Live: checked ${new Date().toLocaleTimeString()}${news}.`;
  } catch (err) {
    status.textContent = `Live view paused (${err.message}); retrying.`;
  }
  setTimeout(poll, document.hidden ? POLL_MS * 5 : POLL_MS);
}

if (list?.dataset.live) setTimeout(poll, POLL_MS);
