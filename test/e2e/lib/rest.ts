// A small client for the REST API, shaped like PostHog's (spec/rest-api.md).
// The JSON shapes are inferred from the routes' zod schemas (test/support/rest-types.ts).
import type { EventJson, PageJson, PersonJson, ProjectJson, WarningJson } from '../../support/rest-types';

export type Person = PersonJson;
export type StoredEvent = EventJson;
export type Project = ProjectJson;
export type IngestionWarning = WarningJson;
type Page<T> = PageJson<T>;

export class RestApi {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${method} ${path} → ${res.status} with a body that is not JSON: ${text.slice(0, 500)}`);
    }
  }

  async createProject(name: string): Promise<Project> {
    return this.request<Project>('POST', '/api/projects/', { name });
  }

  project(projectId: number): ProjectApi {
    return new ProjectApi(this, projectId);
  }
}

export class ProjectApi {
  constructor(
    private readonly api: RestApi,
    readonly projectId: number,
  ) {}

  private get base() {
    return `/api/projects/${this.projectId}`;
  }

  /** Every page of a list, following `next` (same host, so only the path and query are kept). */
  private async all<T>(path: string): Promise<T[]> {
    const results: T[] = [];
    let next: string | null = path;
    for (let pages = 0; next && pages < 50; pages++) {
      const page: Page<T> = await this.api.request<Page<T>>('GET', next);
      if (!Array.isArray(page.results))
        throw new Error(`GET ${next}: no "results" array in ${JSON.stringify(page).slice(0, 300)}`);
      results.push(...page.results);
      next = page.next ? relative(page.next) : null;
    }
    return results;
  }

  persons(): Promise<Person[]> {
    return this.all<Person>(`${this.base}/persons/?limit=1000`);
  }

  personsByDistinctId(distinctId: string): Promise<Person[]> {
    return this.all<Person>(`${this.base}/persons/?distinct_id=${encodeURIComponent(distinctId)}`);
  }

  person(uuid: string): Promise<Person> {
    return this.api.request<Person>('GET', `${this.base}/persons/${uuid}/`);
  }

  events(filter: { person_id?: string; distinct_id?: string; event?: string } = {}): Promise<StoredEvent[]> {
    const query = new URLSearchParams({ ...filter, limit: '1000' });
    return this.all<StoredEvent>(`${this.base}/events/?${query}`);
  }

  warnings(): Promise<IngestionWarning[]> {
    return this.all<IngestionWarning>(`${this.base}/ingestion_warnings/?limit=1000`);
  }
}

function relative(url: string): string {
  if (url.startsWith('/')) return url;
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}
