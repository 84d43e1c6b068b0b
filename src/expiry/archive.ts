import type { events } from '../db/schema';

type EventRow = typeof events.$inferSelect;

/**
 * Where an expired part of a project's day goes in R2, in the Hive layout
 * DuckDB (`read_json('s3://…/events/*\/*\/*.ndjson.gz', hive_partitioning = true)`),
 * ClickHouse and Spark read directly. The part is named after its first event
 * (time of day and uuid), so writing the same part again after a failed delete
 * replaces the object instead of adding a copy.
 */
export function archiveKey(projectId: number, first: Pick<EventRow, 'timestamp' | 'uuid'>): string {
  const day = first.timestamp.slice(0, 10);
  const timeOfDay = first.timestamp.slice(11, 23).replace(/[:.]/g, '');
  return `events/project=${projectId}/date=${day}/${timeOfDay}-${first.uuid}.ndjson.gz`;
}

/** One archived event per line, with the field names of the REST API and PostHog's exports. */
function ndjsonOf(rows: EventRow[]): string {
  return rows
    .map((e) =>
      JSON.stringify({
        uuid: e.uuid,
        event: e.event,
        distinct_id: e.distinctId,
        person_id: e.personIdAtIngest,
        timestamp: e.timestamp,
        project_id: e.projectId,
        properties: e.properties,
      }),
    )
    .join('\n')
    .concat('\n');
}

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function gunzipText(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/**
 * Writes one part and resolves only once R2 holds all of it; throws otherwise.
 * Not marked Content-Encoding: gzip, so readers get the .gz bytes as stored.
 */
export async function writeArchivePart(bucket: R2Bucket, key: string, rows: EventRow[]): Promise<void> {
  const body = await gzip(ndjsonOf(rows));
  const stored = await bucket.put(key, body, {
    httpMetadata: { contentType: 'application/gzip' },
    customMetadata: { events: String(rows.length), first: rows[0]?.uuid ?? '', last: rows.at(-1)?.uuid ?? '' },
  });
  if (!stored || stored.size !== body.byteLength) throw new Error(`archive write of ${key} was not confirmed`);
}
