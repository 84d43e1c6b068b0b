/**
 * A generated project as ingestion leaves it, and a plain TypeScript model of
 * what it means, independent of the query SQL: every event counts under the
 * person its distinct id belongs to now, else the person id it was stored with.
 *
 * Scenarios per user: anonymous visits then `$identify`, `$create_alias`,
 * `$merge_dangerously` of two identified ids, merges after all the events
 * (late), anonymous visitors never identified, and person-less events (some of
 * whose distinct ids a person took over later).
 */
import { env } from 'cloudflare:workers';
import { projectDatabase } from '../../src/db/shards';

export interface WorldEvent {
  uuid: string;
  event: string;
  distinctId: string;
  personIdAtIngest: string;
  properties: Record<string, unknown>;
  timestamp: string;
}

export interface WorldPerson {
  id: string;
  distinctIds: string[];
  properties: Record<string, unknown>;
}

export interface World {
  persons: WorldPerson[];
  events: WorldEvent[];
  /** distinct id → person id, now. */
  owner: Map<string, string>;
  /** person id → properties, now. */
  personProps: Map<string, Record<string, unknown>>;
}

export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

/** Keys that must survive quoting: dots, quotes, `$`, brackets, unicode, SQL. */
export const TRICKY_KEYS = [
  'a.b',
  "it's",
  'x"y',
  '$dollar',
  '[0]',
  'ключ 🔑',
  "'; DROP TABLE events; --",
  'back\\slash',
] as const;
export const EVENT_NAMES = ['$pageview', 'signup', 'purchase', '$autocapture'] as const;
export const BROWSERS = ['Chrome', 'Firefox', 'Safari', 'Edge'] as const;

function uuidFrom(r: ReturnType<typeof rng>): string {
  const h = () =>
    Math.floor(r.next() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  return `${h()}${h()}-${h()}-4${h().slice(1)}-8${h().slice(1)}-${h()}${h()}${h()}`;
}

export interface WorldOptions {
  seed: number;
  users: number;
  start: number;
  days: number;
  eventsPerUser: number;
}

export function generateWorld(o: WorldOptions): World {
  const r = rng(o.seed);
  const persons: WorldPerson[] = [];
  const events: WorldEvent[] = [];
  const owner = new Map<string, string>();
  const personProps = new Map<string, Record<string, unknown>>();
  const at = () => o.start + Math.floor(r.next() * o.days * 86_400_000);
  const eventProps = (): Record<string, unknown> => {
    const p: Record<string, unknown> = {};
    if (r.chance(0.85)) p.$browser = r.pick(BROWSERS);
    if (r.chance(0.7)) p.amount = r.chance(0.8) ? r.int(0, 500) / (r.chance(0.3) ? 4 : 1) : String(r.int(1, 99));
    if (r.chance(0.1)) p.amount = r.pick(['n/a', true, null, '']);
    if (r.chance(0.9)) p.$session_id = `s-${r.int(1, o.users * 3)}`;
    if (r.chance(0.5))
      p.$current_url = r.pick(['https://a.example/home', 'https://a.example/pricing', 'https://b.example/Docs?x=1']);
    for (const key of TRICKY_KEYS) if (r.chance(0.3)) p[key] = r.pick(['v1', 'v2', 'ünï', "o'q", 7]);
    return p;
  };
  const emit = (distinctId: string, personIdAtIngest: string, when: number) =>
    events.push({
      uuid: uuidFrom(r),
      event: r.pick(EVENT_NAMES),
      distinctId,
      personIdAtIngest,
      properties: eventProps(),
      timestamp: new Date(when).toISOString(),
    });
  const personPropsOf = (): Record<string, unknown> => {
    const p: Record<string, unknown> = {};
    if (r.chance(0.8)) p.plan = r.pick(['free', 'pro', 'team']);
    if (r.chance(0.6)) p.age = r.int(18, 70);
    if (r.chance(0.3)) p['x"y'] = r.pick(['p1', 'p2']);
    if (r.chance(0.3)) p['a.b'] = r.pick(['p1', 'p2']);
    return p;
  };

  for (let u = 0; u < o.users; u++) {
    const scenario = r.pick([
      'identify',
      'alias',
      'merge_dangerously',
      'late_merge',
      'anonymous',
      'person_less',
    ] as const);
    const final = { id: uuidFrom(r), distinctIds: [] as string[], properties: personPropsOf() };
    const anonIds = Array.from({ length: r.int(1, 3) }, (_, k) => `anon-${o.seed}-${u}-${k}`);
    const userId = `user-${o.seed}-${u}`;
    const n = r.int(1, o.eventsPerUser);
    if (scenario === 'anonymous') {
      // Never identified: each anonymous id is its own person.
      for (const anon of anonIds) {
        const p = { id: uuidFrom(r), distinctIds: [anon], properties: personPropsOf() };
        persons.push(p);
        for (let i = 0; i < n; i++) emit(anon, p.id, at());
      }
      continue;
    }
    if (scenario === 'person_less') {
      // Events stored without a person; half of the ids were taken over by a person later.
      const taken = r.chance(0.5);
      for (const anon of anonIds) {
        const storedWith = uuidFrom(r);
        for (let i = 0; i < n; i++) emit(anon, storedWith, at());
        if (taken) final.distinctIds.push(anon);
      }
      if (taken) {
        final.distinctIds.push(userId);
        for (let i = 0; i < n; i++) emit(userId, final.id, at());
        persons.push(final);
      }
      continue;
    }
    // Merges: events before the merge were stored with the anonymous person's id, after it with the final one.
    const mergeAt = scenario === 'late_merge' ? o.start + o.days * 86_400_000 : at();
    const sources = scenario === 'merge_dangerously' ? [...anonIds, `other-${o.seed}-${u}`] : anonIds;
    for (const source of sources) {
      const pre = uuidFrom(r);
      for (let i = 0; i < n; i++) {
        const when = at();
        emit(source, when < mergeAt ? pre : final.id, when);
      }
    }
    for (let i = 0; i < n; i++) emit(userId, final.id, at());
    final.distinctIds.push(userId, ...sources);
    persons.push(final);
  }
  for (const p of persons) {
    personProps.set(p.id, p.properties);
    for (const d of p.distinctIds) owner.set(d, p.id);
  }
  return { persons, events, owner, personProps };
}

/** Writes the world into D1 for one project, as ingestion would have stored it. */
export async function seedWorld(projectId: number, w: World): Promise<void> {
  const db = await projectDatabase(env, projectId);
  const statements: D1PreparedStatement[] = [];
  const insertPerson = db.prepare(
    "INSERT INTO persons (id, project_id, properties, is_identified, created_at, version) VALUES (?, ?, ?, 1, '2024-01-01T00:00:00.000Z', 0)",
  );
  const insertLink = db.prepare(
    'INSERT INTO person_distinct_ids (project_id, distinct_id, person_id) VALUES (?, ?, ?)',
  );
  const insertEvent = db.prepare(
    'INSERT INTO events (project_id, uuid, event, distinct_id, person_id_at_ingest, properties, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (const p of w.persons) {
    statements.push(insertPerson.bind(p.id, projectId, JSON.stringify(p.properties)));
    for (const d of p.distinctIds) statements.push(insertLink.bind(projectId, d, p.id));
  }
  for (const e of w.events) {
    statements.push(
      insertEvent.bind(
        projectId,
        e.uuid,
        e.event,
        e.distinctId,
        e.personIdAtIngest,
        JSON.stringify(e.properties),
        e.timestamp,
      ),
    );
  }
  for (let i = 0; i < statements.length; i += 500) await db.batch(statements.slice(i, i + 500));
}

// --- The model's view of events -------------------------------------------------

export const personOf = (w: World, e: WorldEvent) => w.owner.get(e.distinctId) ?? e.personIdAtIngest;
export const personPropsOf = (w: World, e: WorldEvent): Record<string, unknown> =>
  w.personProps.get(personOf(w, e)) ?? {};

/** Wall-clock fields of an instant in a zone, read from Intl's `longOffset` name (not the code under test). */
export function wallClock(instant: number, timezone: string) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(instant));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', '') || '+00:00';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: get('hour'), minute: get('minute'), offset };
}

/** PostHog's text form of a property value (what exact / breakdown compare). */
export function textOf(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** PostHog's toFloat of a property value. */
export function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(v.trim()))
    return Number(v.trim());
  return null;
}

export interface ModelFilter {
  key: string;
  value?: unknown;
  operator: string;
  type: 'event' | 'person';
}

export function matches(w: World, e: WorldEvent, f: ModelFilter): boolean {
  const props = f.type === 'person' ? personPropsOf(w, e) : e.properties;
  const raw = Object.hasOwn(props, f.key) ? props[f.key] : undefined;
  const text = textOf(raw);
  const values = f.value === undefined ? [] : Array.isArray(f.value) ? f.value : [f.value];
  const texts = values.map((v) => textOf(v));
  const num = numberOf(raw);
  switch (f.operator) {
    case 'exact':
      return text !== null && texts.includes(text);
    case 'is_not':
      return text === null || !texts.includes(text);
    case 'icontains':
      return text === null ? false : text.toLowerCase().includes(String(values[0]).toLowerCase());
    case 'not_icontains':
      return text === null || !text.toLowerCase().includes(String(values[0]).toLowerCase());
    case 'regex':
      return text !== null && new RegExp(String(values[0])).test(text);
    case 'not_regex':
      return text === null || !new RegExp(String(values[0])).test(text);
    case 'gt':
      return num !== null && num > Number(values[0]);
    case 'gte':
      return num !== null && num >= Number(values[0]);
    case 'lt':
      return num !== null && num < Number(values[0]);
    case 'lte':
      return num !== null && num <= Number(values[0]);
    case 'is_set':
      return raw !== undefined && raw !== null;
    case 'is_not_set':
      return raw === undefined || raw === null;
  }
  throw new Error(`model: unknown operator ${f.operator}`);
}

/** ClickHouse's interpolated quantile. */
export function quantile(values: number[], level: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const idx = level * (s.length - 1);
  const lo = Math.floor(idx);
  const frac = idx - lo;
  return s[lo]! * (1 - frac) + (s[lo + 1] ?? s[lo]!) * frac;
}
