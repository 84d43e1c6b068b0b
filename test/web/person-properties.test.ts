/** The person page's properties: grouped, searchable, empty values hidden unless asked for, each with its last write. */
import { expect, it } from 'vitest';
import { fetchWorker, newProject, seedPerson, signIn } from '../support';

it('groups, filters and dates a person’s properties', async () => {
  const cookie = await signIn();
  const { id: projectId } = await newProject('person properties');
  const id = await seedPerson(projectId, {
    distinctIds: ['p1'],
    properties: {
      email: 'p@example.com',
      plan: 'pro',
      utm_source: null,
      gclid: '',
      $initial_utm_medium: 'cpc',
      $geoip_city_name: 'Oslo',
    },
    propertyWrites: { plan: { t: '2024-05-01T10:00:00.000Z', op: 'set_once' } },
  });
  const page = async (q = '') =>
    (await fetchWorker(`/app/projects/${projectId}/persons/${id}${q}`, { headers: { Cookie: cookie } })).text();
  const shownKeys = (html: string) =>
    [...html.matchAll(/<table class="props">[\s\S]*?<\/table>/g)].flatMap((t) =>
      [...t[0].matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]),
    );
  const captions = (html: string) => [...html.matchAll(/<caption>([^<]*)<\/caption>/g)].map((m) => m[1]);
  const plain = await page();
  expect(shownKeys(plain).sort()).toEqual(['$geoip_city_name', '$initial_utm_medium', 'email', 'plan']);
  expect(captions(plain)).toEqual(['Properties', 'Campaign (UTM, click ids)', 'GeoIP']);
  expect(plain).toMatch(/2024-05-01 10:00:00 <span class="tz">UTC<\/span><\/time> <span class="muted">\$set_once/);
  expect(shownKeys(await page('?empty=1')).sort()).toEqual([
    '$geoip_city_name',
    '$initial_utm_medium',
    'email',
    'gclid',
    'plan',
    'utm_source',
  ]);
  expect(shownKeys(await page('?props=OSLO'))).toEqual(['$geoip_city_name']);
});
