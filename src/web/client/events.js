// Live events: polls the page's JSON twin and puts events it has not shown yet at the top.
const list = document.getElementById('event-list');
const status = document.getElementById('live-status');
const POLL_MS = 2000;
const MAX_ROWS = 500;

function time(iso) {
  const t = document.createElement('time');
  t.dateTime = iso;
  t.title = iso;
  t.textContent = `${iso.replace('T', ' ').slice(0, 19)} UTC`;
  return t;
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
  summary.append(span('name', e.event), ' ', span('id', e.distinct_id), ' ', time(e.timestamp));
  const links = document.createElement('p');
  links.className = 'links';
  links.append(
    link(`${list.dataset.eventBase}/${encodeURIComponent(e.id)}`, 'Event'),
    ' · ',
    link(`${list.dataset.personBase}/${encodeURIComponent(e.person_id)}`, 'Person'),
  );
  const pre = document.createElement('pre');
  pre.className = 'json';
  pre.textContent = JSON.stringify(e.properties, null, 2);
  details.append(summary, links, pre);
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
