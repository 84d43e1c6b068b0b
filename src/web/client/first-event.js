// An empty project's "waiting for the first event" check (src/web/pages/first-event.tsx): asks
// the page's first-event.json every few seconds and announces the event once it is stored.
const status = document.getElementById('first-event-status');

async function poll() {
  let answer;
  try {
    const res = await fetch(status.dataset.poll, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (res.status === 401) {
      status.textContent = 'Signed out: reload to sign in again.';
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    answer = await res.json();
  } catch (err) {
    status.textContent = `Waiting for the first event (check failed: ${err.message}; retrying)…`;
  }
  if (answer?.received) {
    const reload = document.createElement('a');
    reload.href = location.href;
    reload.textContent = 'Reload to see it';
    status.className = 'waiting received';
    status.replaceChildren(`First event received: “${answer.event}”. `, reload);
    return;
  }
  setTimeout(poll, Number(status.dataset.pollSeconds) * 1000);
}

if (status?.dataset.poll) setTimeout(poll, Number(status.dataset.pollSeconds) * 1000);
