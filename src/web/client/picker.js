// Event and property pickers (src/web/pages/pickers.tsx): keeps a property picker's list in step
// with its type select, flags a name the project never received as soon as it is entered, and
// offers the property filter's example values. DOM built with textContent only.
const SUBJECT = {
  event: 'No events named',
  event_property: 'No event property named',
  person_property: 'No person property named',
};
const listOf = (kind) => document.getElementById(`picker-${kind}`);

/** The note after a picker, made on first use. */
function noteOf(input) {
  const next = input.nextElementSibling;
  if (next?.classList.contains('unknown-note')) return next;
  const note = document.createElement('span');
  note.className = 'unknown-note';
  note.setAttribute('role', 'status');
  note.hidden = true;
  input.after(note);
  return note;
}

/** Flags the picker's name when its list holds every name of the project and not this one. */
function check(input) {
  const list = listOf(input.dataset.kind);
  const name = input.value;
  const unknown =
    name !== '' && list?.hasAttribute('data-complete') && ![...list.options].some((o) => o.value === name);
  const note = noteOf(input);
  note.hidden = !unknown;
  note.textContent = unknown ? `${SUBJECT[input.dataset.kind]} “${name}” in this project.` : '';
  input.setAttribute('aria-invalid', unknown ? 'true' : 'false');
}

/** The property filter's example values (as a list for its value field) and its type, in the hint below it. */
async function loadValues(input) {
  const hint = document.getElementById(`${input.id}-hint`);
  const values = document.getElementById('picker-values');
  const key = input.value;
  const type = [...(listOf(input.dataset.kind)?.options ?? [])].find((o) => o.value === key)?.label ?? '';
  if (hint) hint.textContent = key === '' ? '' : type;
  values?.replaceChildren();
  if (key === '') return;
  const url = new URL(input.dataset.valuesUrl, location.href);
  url.searchParams.set('type', input.dataset.kind.replace(/_property$/, ''));
  url.searchParams.set('key', key);
  try {
    const res = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok || input.value !== key) return;
    const { results } = await res.json();
    for (const { value } of results) {
      const option = document.createElement('option');
      option.value = value;
      values?.append(option);
    }
    if (hint && results.length > 0)
      hint.textContent = [type, `e.g. ${results.map((r) => r.value).join(', ')}`].filter(Boolean).join(' · ');
  } catch {
    // Examples are a help only: without them the field still takes any value.
  }
}

for (const input of document.querySelectorAll('input[data-kind]')) {
  input.addEventListener('change', () => {
    check(input);
    if (input.dataset.valuesUrl) void loadValues(input);
  });
}

for (const select of document.querySelectorAll('select[data-kind-of]')) {
  select.addEventListener('change', () => {
    const input = document.getElementById(select.dataset.kindOf);
    if (!input) return;
    input.dataset.kind = `${select.value}_property`;
    input.setAttribute('list', `picker-${input.dataset.kind}`);
    check(input);
    if (input.dataset.valuesUrl) void loadValues(input);
  });
}
