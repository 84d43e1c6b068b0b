// Small enhancements for every page of the app. Builds DOM with textContent only.

/** A "Copy" button beside every element marked data-copy. */
for (const el of document.querySelectorAll('[data-copy]')) {
  if (!navigator.clipboard) break;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy secondary';
  button.textContent = 'Copy';
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(el.textContent ?? '');
    button.textContent = 'Copied';
    setTimeout(() => (button.textContent = 'Copy'), 1500);
  });
  el.insertAdjacentElement('afterend', button);
}

/**
 * Times are rendered in the project's time zone; the header's switch shows them in the viewer's local time instead
 * (remembered in localStorage) and back.
 */
const tzSwitch = document.querySelector('.tz-switch');
if (tzSwitch) {
  const projectZone = tzSwitch.dataset.timezone ?? 'UTC';
  const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const originals = new Map();
  const pad = (n) => String(n).padStart(2, '0');
  const showLocal = (local) => {
    for (const el of document.querySelectorAll('time[datetime]')) {
      if (!originals.has(el)) originals.set(el, el.textContent);
      if (!local) {
        el.textContent = originals.get(el);
        continue;
      }
      const d = new Date(el.getAttribute('datetime'));
      const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} `;
      const zone = document.createElement('span');
      zone.className = 'tz';
      zone.textContent = 'local';
      el.textContent = text;
      el.append(zone);
    }
    tzSwitch.textContent = local ? `Times: local (${localZone})` : `Times: ${projectZone}`;
    tzSwitch.title = local ? `Show times in the project's zone (${projectZone})` : 'Show times in your local zone';
  };
  let local = localStorage.getItem('phe_local_time') === '1';
  if (local) showLocal(true);
  else tzSwitch.title = 'Show times in your local zone';
  tzSwitch.addEventListener('click', () => {
    local = !local;
    localStorage.setItem('phe_local_time', local ? '1' : '0');
    showLocal(local);
  });
}
