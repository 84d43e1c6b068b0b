// Helpers of the saved insights and dashboards tests: REST calls that expect a status.
import { expect } from 'vitest';
import { api } from '../support';

// biome-ignore lint/suspicious/noExplicitAny: REST answers are read field by field, as a client reads them.
export type Json = Record<string, any>;

export async function call(method: string, path: string, json?: unknown, status = 200): Promise<Json> {
  const res = await api(path, { method, json });
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text}`).toBe(status);
  return text ? JSON.parse(text) : {};
}

export const trendsSource = (event: string, extra: Json = {}) => ({
  kind: 'TrendsQuery',
  series: [{ kind: 'EventsNode', event, math: 'total' }],
  interval: 'day',
  dateRange: { date_from: '2024-05-01', date_to: '2024-05-07' },
  ...extra,
});

export const viz = (source: Json) => ({ kind: 'InsightVizNode', source });

/** What the query endpoint answers for a source query: the model every cached result must equal. */
export async function endpointResults(projectId: number, source: unknown): Promise<unknown> {
  return (await call('POST', `/api/projects/${projectId}/query/`, { query: source })).results;
}
