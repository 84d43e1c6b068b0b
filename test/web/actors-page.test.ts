/**
 * Click-through from an insight's numbers: every number's link leads to a
 * persons page whose count is that number and whose links are exactly the
 * persons the actors query lists for it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchWorker, newProject, seedEvents, seedPerson, signIn, decodeHtml } from '../support';

let cookie: string;
let projectId: number;
/** person id → the days (ago) it bought, with its plan. */
const buyers: { distinctId: string; days: number[]; plan: string }[] = [
  { distinctId: 'ann', days: [1, 2], plan: 'pro' },
  { distinctId: 'bob', days: [1], plan: 'free' },
  { distinctId: 'cy', days: [2, 3], plan: 'pro' },
  { distinctId: 'dee', days: [3], plan: 'free' },
];
const ids = new Map<string, string>();

beforeAll(async () => {
  cookie = await signIn();
  projectId = (await newProject('click-through')).id;
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
  for (const b of buyers) {
    const id = await seedPerson(projectId, {
      distinctIds: [b.distinctId],
      properties: { email: `${b.distinctId}@x.io` },
    });
    ids.set(b.distinctId, id);
    await seedEvents(
      projectId,
      b.days.flatMap((d) => [
        { event: '$pageview', distinctId: b.distinctId, personIdAtIngest: id, timestamp: day(d) },
        {
          event: 'buy',
          distinctId: b.distinctId,
          personIdAtIngest: id,
          timestamp: day(d),
          properties: { plan: b.plan },
        },
      ]),
    );
  }
  // A person-less buyer: counted by the number, listed as "without a person record".
  await seedEvents(projectId, [{ event: 'buy', distinctId: 'ghost', timestamp: day(1), properties: { plan: 'pro' } }]);
});

async function page(path: string): Promise<string> {
  const res = await fetchWorker(path, { headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return res.text();
}

/** Each linked number of a page: its text and where it leads. */
function numberLinks(html: string): { text: string; href: string }[] {
  return [...html.matchAll(/<a href="([^"]*\/insights\/actors\?[^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({
    href: decodeHtml(m[1]!),
    text: m[2]!.trim(),
  }));
}

async function personsBehind(href: string): Promise<{ count: number; persons: string[] }> {
  const html = await page(href.replace(/^.*?\/app\//, '/app/'));
  const count = Number(/data-testid="actors-count">(\d+)/.exec(html)![1]);
  const persons = [...html.matchAll(/data-person="([^"]+)"/g)].map((m) => m[1]!);
  return { count, persons };
}

describe('from a number to its persons', () => {
  it('trends: each daily cell leads to a list as long as the number', async () => {
    const html = await page(
      `/app/projects/${projectId}/insights?kind=trends&event=buy&math=dau&interval=day&date_from=-7d`,
    );
    const links = numberLinks(html);
    expect(links.length).toBe(8);
    for (const link of links) {
      const { count, persons } = await personsBehind(link.href);
      expect(count, link.href).toBe(Number(link.text));
      const day = new URL(link.href, 'http://x').searchParams.get('day')!;
      const expected = buyers
        .filter((b) => b.days.some((d) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10) === day))
        .map((b) => ids.get(b.distinctId)!);
      expect(persons.sort()).toEqual(expected.sort());
    }
  });

  it('funnels: converted and dropped off', async () => {
    const html = await page(`/app/projects/${projectId}/insights?kind=funnels&event=$pageview&event=buy&date_from=-7d`);
    const links = numberLinks(html);
    expect(links.map((l) => new URL(l.href, 'http://x').searchParams.get('step'))).toEqual(['1', '2', '-2']);
    for (const link of links) {
      const { count, persons } = await personsBehind(link.href);
      expect(count).toBe(Number(/^\d+/.exec(link.text)![0]));
      expect(persons.length).toBe(count);
    }
  });

  it('retention: a cell lists the cohort members who came back', async () => {
    const html = await page(
      `/app/projects/${projectId}/insights?kind=retention&target=$pageview&returning=$pageview&period=Day&intervals=5&retention_type=retention_recurring`,
    );
    const links = numberLinks(html);
    expect(links.length).toBeGreaterThan(0);
    const cell = links.find(
      (l) => new URL(l.href, 'http://x').searchParams.get('returned') === '1' && l.text !== '0.0%',
    );
    expect(cell).toBeDefined();
    const { count, persons } = await personsBehind(cell!.href);
    expect(persons.length).toBe(count);
    expect(count).toBeGreaterThan(0);
  });
});
