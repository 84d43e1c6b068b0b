/** An event as the REST API lists it and the web app's live view polls it. */
import { z } from '@hono/zod-openapi';
import type { EventView } from '../db/event-reads';

export const EventSchema = z
  .object({
    id: z.string().openapi({ description: 'The event uuid.' }),
    event: z.string(),
    distinct_id: z.string(),
    properties: z.record(z.string(), z.unknown()),
    timestamp: z.string(),
    person_id: z.string().openapi({ description: 'The person the distinct id belongs to now.' }),
  })
  .openapi('Event');

export const eventJson = (e: EventView) => ({
  id: e.uuid,
  event: e.event,
  distinct_id: e.distinctId,
  properties: e.properties,
  timestamp: e.timestamp,
  person_id: e.personId,
});
