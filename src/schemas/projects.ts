/**
 * A project's settings as the REST API (`POST`/`PATCH /api/projects/`) and the web
 * app's project forms take them: one validation for both.
 */
import { z } from '@hono/zod-openapi';
import type { ProjectSettings } from '../db/projects';
import { PROJECT_CACHE_TTL_MS } from '../projects/cache';
import { isTimeZone } from '../time-zone';

export const COOKIELESS_MODES = ['disabled', 'stateless', 'stateful'] as const;

const ProjectName = z.string().trim().min(1).max(200);
export const CreateProjectBody = z.object({ name: ProjectName }).openapi('CreateProject');

/** PostHog's API sends the cookieless mode as 0/1/2 (its CookielessServerHashMode); the names are accepted too. */
const CookielessMode = z.union([
  z.enum(COOKIELESS_MODES),
  z.union([z.literal(0), z.literal(1), z.literal(2)]).transform((n) => COOKIELESS_MODES[n]),
]);

/**
 * Unknown fields are ignored, as PostHog's project API does, so a script sending more of PostHog's settings still
 * works.
 */
export const UpdateProjectBody = z
  .object({
    name: ProjectName,
    timezone: z.string().max(100).refine(isTimeZone, 'must be an IANA time zone name such as "Europe/Berlin" or "UTC"'),
    anonymize_ips: z.boolean(),
    drop_events_older_than_seconds: z
      .number()
      .int()
      .min(60)
      .max(10 * 365 * 86_400)
      .nullable(),
    cookieless_server_hash_mode: CookielessMode,
    event_retention_days: z
      .number()
      .int()
      .min(1)
      .max(100 * 366)
      .nullable(),
  })
  .partial()
  .openapi('UpdateProject', {
    description: `Capture picks a change up within ${PROJECT_CACHE_TTL_MS / 1000} seconds (its project cache).`,
  });

/** A PATCH body's fields as stored project settings (absent fields stay undefined: unchanged). */
export const settingsOfBody = (body: z.infer<typeof UpdateProjectBody>): Partial<ProjectSettings> => ({
  name: body.name,
  timezone: body.timezone,
  anonymizeIps: body.anonymize_ips,
  dropEventsOlderThanSeconds: body.drop_events_older_than_seconds,
  cookielessServerHashMode: body.cookieless_server_hash_mode,
  eventRetentionDays: body.event_retention_days,
});
