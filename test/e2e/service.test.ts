import { describe, expect, it } from 'vitest';
import { freshProject } from './lib/context';

describe('service harness', () => {
  it('creates a project through the REST API', async () => {
    const ctx = await freshProject('harness');
    expect(ctx.project).toMatchObject({ id: expect.any(Number), api_token: expect.stringMatching(/^phc_/) });
    const again = await ctx.rest.request<{ id: number }>('GET', `/api/projects/${ctx.project.id}/`);
    expect(again.id).toBe(ctx.project.id);
  });
});
