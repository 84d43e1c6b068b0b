// Event and property definitions: kept by ingestion (through capture and the queue consumer), listed
// in PostHog's shapes. Every expectation is computed from the sent events by a plain model.
import { beforeAll, describe, expect, it } from 'vitest';
import { recordDefinitions } from '../../src/definitions/record';
import { dbFor, getJson, ingest, newProject, pathOf, type ProjectJson } from '../support';

interface Def {
  id: string;
  name: string;
  property_type?: string | null;
  is_numerical?: boolean;
  is_seen_on_filtered_events?: boolean | null;
  last_seen_at?: string;
}
interface Page {
  count: number;
  next: string | null;
  previous: string | null;
  results: Def[];
}

const HOUR = 3_600_000;
const day = (d: number, h = 10) => new Date(Date.UTC(2025, 0, d, h, 17)).toISOString();
/** Each key keeps one kind of value, so the expected type does not depend on arrival order. */
const VALUES: Record<string, [type: string | null, value: (i: number) => unknown]> = {
  price: ['Numeric', (i) => i * 1.5],
  plan: ['String', (i) => `plan-${i % 3}`],
  is_trial: ['Boolean', (i) => i % 2 === 0],
  beta: ['Boolean', (i) => (i % 2 ? 'true' : 'false')],
  renewed: ['DateTime', (i) => day(1 + (i % 5))],
  utm_source: ['String', (i) => i],
  '$feature/new-ui': ['String', (i) => i % 2 === 0],
  $current_url: ['String', (i) => `https://example.com/${i}`],
};
const EVENTS: Record<string, string[]> = {
  $pageview: ['$current_url', 'utm_source'],
  'Plan Upgraded': ['plan', 'price', 'is_trial'],
  checkout: ['price', 'beta', 'renewed', '$feature/new-ui'],
};

let project: ProjectJson;
const sent: { event: string; timestamp: string; keys: string[] }[] = [];

beforeAll(async () => {
  project = await newProject('definitions');
  const batch = Array.from({ length: 60 }, (_, i) => {
    const event = Object.keys(EVENTS)[i % 3]!;
    const keys = EVENTS[event]!;
    const timestamp = day(1 + (i % 7), i % 24);
    sent.push({ event, timestamp, keys });
    return {
      uuid: crypto.randomUUID(),
      event,
      distinct_id: `user-${i % 5}`,
      timestamp,
      properties: {
        ...Object.fromEntries(keys.map((k) => [k, VALUES[k]![1](i)])),
        $set: { email: `u${i % 5}@example.com`, visits: i },
        distinct_id: 'ignored-by-posthog',
      },
    };
  });
  await ingest(project, batch);
  await ingest(project, [
    {
      uuid: crypto.randomUUID(),
      event: '$groupidentify',
      distinct_id: 'user-1',
      timestamp: day(3),
      properties: { $group_type: 'company', $group_key: 'acme', $group_set: { seats: 12, name: 'Acme' } },
    },
  ]);
});

const base = () => `/api/projects/${project.id}`;
async function all(path: string): Promise<Def[]> {
  const out: Def[] = [];
  let page = await getJson<Page>(path);
  out.push(...page.results);
  while (page.next) {
    page = await getJson<Page>(pathOf(page.next));
    out.push(...page.results);
  }
  return out;
}
/** SQLite's order of names: by code point. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const hourOf = (iso: string) => new Date(Math.floor(Date.parse(iso) / HOUR) * HOUR).toISOString();

describe('event_definitions/', () => {
  it('lists every event name once, last seen to the hour, latest day first then by name', async () => {
    const latest = new Map<string, string>();
    for (const s of [...sent, { event: '$groupidentify', timestamp: day(3) }]) {
      if (!latest.has(s.event) || s.timestamp > latest.get(s.event)!) latest.set(s.event, s.timestamp);
    }
    const expected = [...latest]
      .map(([name, ts]) => ({ name, last_seen_at: hourOf(ts) }))
      .sort(
        (a, b) => b.last_seen_at.slice(0, 10).localeCompare(a.last_seen_at.slice(0, 10)) || byCodePoint(a.name, b.name),
      );
    const listed = await all(`${base()}/event_definitions/?limit=2`);
    expect(listed.map((d) => ({ name: d.name, last_seen_at: d.last_seen_at }))).toEqual(expected);
    expect(new Set(listed.map((d) => d.id)).size).toBe(listed.length);
  });

  it('searches by every word, filters custom or PostHog events, orders by name', async () => {
    const names = (page: Page) => page.results.map((d) => d.name);
    expect(names(await getJson<Page>(`${base()}/event_definitions/?search=plan%20UP`))).toEqual(['Plan Upgraded']);
    expect(names(await getJson<Page>(`${base()}/event_definitions/?event_type=event_custom&ordering=name`))).toEqual([
      'Plan Upgraded',
      'checkout',
    ]);
    expect(names(await getJson<Page>(`${base()}/event_definitions/?event_type=event_posthog&ordering=-name`))).toEqual([
      '$pageview',
      '$groupidentify',
    ]);
  });

  it('refuses what it does not know, naming it', async () => {
    const bad = await getJson<{ attr: string }>(`${base()}/event_definitions/?ordering=volume_30_day`, 400);
    expect(bad.attr).toBe('ordering');
    const unknown = await getJson<{ detail: string }>(`${base()}/event_definitions/?sort=name`, 400);
    expect(unknown.detail).toContain('sort');
  });
});

describe('property_definitions/', () => {
  const typeOf = (name: string) => VALUES[name]![0];

  it('lists event properties with their detected types, hiding what PostHog hides', async () => {
    const expected = Object.keys(VALUES)
      .sort()
      .map((name) => ({ name, property_type: typeOf(name), is_numerical: typeOf(name) === 'Numeric' }));
    const listed = await all(`${base()}/property_definitions/?type=event&limit=3`);
    expect(listed.map(({ name, property_type, is_numerical }) => ({ name, property_type, is_numerical }))).toEqual(
      expected,
    );
  });

  it('event_names marks (and with filter_by_event_names keeps only) the properties seen on those events', async () => {
    const seen = new Set(EVENTS.checkout);
    const marked = await all(`${base()}/property_definitions/?event_names=${encodeURIComponent('["checkout"]')}`);
    const expected = Object.keys(VALUES)
      .map((name) => ({ name, seen: seen.has(name) }))
      .sort((a, b) => Number(b.seen) - Number(a.seen) || byCodePoint(a.name, b.name));
    expect(marked.map((d) => ({ name: d.name, seen: d.is_seen_on_filtered_events }))).toEqual(expected);

    const only = await all(
      `${base()}/property_definitions/?event_names=${encodeURIComponent('["checkout"]')}&filter_by_event_names=true` +
        '&exclude_core_properties=true&is_feature_flag=false',
    );
    expect(only.map((d) => d.name)).toEqual([...seen].filter((n) => !n.startsWith('$')).sort());
  });

  it('lists person and group properties', async () => {
    const person = await all(`${base()}/property_definitions/?type=person`);
    expect(person.map((d) => [d.name, d.property_type])).toEqual([
      ['email', 'String'],
      ['visits', 'Numeric'],
    ]);
    const group = await all(`${base()}/property_definitions/?type=group&group_type_index=0`);
    expect(group.map((d) => [d.name, d.property_type])).toEqual([
      ['name', 'String'],
      ['seats', 'Numeric'],
    ]);
    const bad = await getJson<{ attr: string }>(`${base()}/property_definitions/?type=group`, 400);
    expect(bad.attr).toBe('group_type_index');
  });

  it('writes nothing for names already known, and a later typed value fills an untyped property', async () => {
    const db = await dbFor(project.id);
    const again = sent.slice(0, 3).map((s) => ({
      event: s.event,
      timestamp: s.timestamp,
      properties: Object.fromEntries(s.keys.map((k) => [k, VALUES[k]![1](0)])),
    }));
    await recordDefinitions(db, project.id, again, Date.now());
    expect(await recordDefinitions(db, project.id, again, Date.now())).toBe(0);

    const now = Date.now();
    await recordDefinitions(db, project.id, [{ event: 'x', timestamp: day(2), properties: { shape: { a: 1 } } }], now);
    const untyped = await all(`${base()}/property_definitions/?properties=shape`);
    expect(untyped.map((d) => d.property_type)).toEqual([null]);
    await recordDefinitions(db, project.id, [{ event: 'x', timestamp: day(2), properties: { shape: 3 } }], now);
    const typed = await all(`${base()}/property_definitions/?properties=shape`);
    expect(typed.map((d) => [d.property_type, d.id])).toEqual([['Numeric', untyped[0]!.id]]);
  });
});
