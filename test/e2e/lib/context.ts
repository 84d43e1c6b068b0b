import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { RestApi, type Project, type ProjectApi } from './rest';

export interface SuiteContext {
  baseUrl: string;
  rest: RestApi;
  project: Project;
  api: ProjectApi;
}

/** A fresh project on the shared service, created through the REST API. */
export async function freshProject(name: string): Promise<SuiteContext> {
  const { baseUrl, apiKey } = inject('service');
  const rest = new RestApi(baseUrl, apiKey);
  const project = await rest.createProject(`e2e ${name}`);
  if (!/^phc_/.test(project.api_token))
    throw new Error(`project token should start with phc_: ${JSON.stringify(project)}`);
  return { baseUrl, rest, project, api: rest.project(project.id) };
}

/** A distinct id no other run or suite uses. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
