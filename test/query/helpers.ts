import { runQuery } from '../../src/query/run';
import { AnyQuery } from '../../src/query/schema';
import { api, dbFor } from '../support';

export async function postQuery(
  projectId: number,
  body: unknown,
  prefix: 'projects' | 'environments' = 'projects',
): Promise<Response> {
  return api(`/api/${prefix}/${projectId}/query/`, { method: 'POST', json: body });
}

export async function setTimezone(projectId: number, timezone: string): Promise<void> {
  const res = await api(`/api/projects/${projectId}/`, { method: 'PATCH', json: { timezone } });
  if (res.status !== 200) throw new Error(`PATCH timezone: ${res.status} ${await res.text()}`);
}

/** The endpoint's answer for a query, with the project's time zone set first when given. */
export async function query<T = Record<string, unknown>>(projectId: number, q: unknown, timezone?: string): Promise<T> {
  if (timezone) await setTimezone(projectId, timezone);
  const res = await postQuery(projectId, { query: q });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`query: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The same, below the route, with a fixed "now" (relative date ranges). */
export async function queryAt<T = Record<string, unknown>>(
  projectId: number,
  q: unknown,
  timezone: string,
  now: number,
): Promise<T> {
  return JSON.parse(
    JSON.stringify(await runQuery({ db: await dbFor(projectId), projectId, timezone, now }, AnyQuery.parse(q))),
  ) as T;
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function addDaysTo(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function weekStartOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  return addDaysTo(date, -d.getUTCDay());
}

export function dayLabel(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d}-${MONTHS[m - 1]}-${y}`;
}
