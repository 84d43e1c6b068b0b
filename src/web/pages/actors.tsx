/**
 * The persons behind one number of the insights page: the insight's own URL parameters rebuild
 * its query, the number's parameters pick the number (number-actors.tsx lists its persons).
 */
import { z } from 'zod';
import { appUrl, type WebContext } from '../context';
import { insightFormOf, queryOf } from '../insight-query';
import { NUMBER_PARAMS, numberActorsPage, withOffset } from './number-actors';

// The insight's own parameters share the URL: only the number's are read here.
const NumberParams = z.object(NUMBER_PARAMS);

export async function actorsPage(c: WebContext) {
  const project = c.get('project');
  const form = insightFormOf(
    (name) => c.req.query(name),
    (name) => c.req.queries(name) ?? [],
  );
  const built = queryOf(form);
  const back = new URL(c.req.url).search;
  return numberActorsPage(c, {
    built,
    params: NumberParams.safeParse(c.req.query()),
    back: { href: `${appUrl(c, `/projects/${project.id}/insights`)}${back}`, label: 'Back to the insight' },
    section: 'insights',
    pageAt: (offset) => `${appUrl(c, `/projects/${project.id}/insights/actors`)}${withOffset(back, offset)}`,
  });
}
