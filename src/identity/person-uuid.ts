import { createHash } from 'node:crypto';
import { parse as parseUuid } from 'uuid';

const PERSON_UUID_NAMESPACE = parseUuid('932979b4-65c3-4424-8467-0b66ec27bc22');
const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Recently derived ids: a batch asks for the same distinct ids over and over. */
const MAX_REMEMBERED = 20_000;
const remembered = new Map<string, string>();

/**
 * RFC 4122 version 5 (the `uuid` package's v5), hashed by the runtime's SHA-1: the
 * package's SHA-1 in JavaScript cost each new anonymous visitor tens of microseconds.
 */
function uuidV5(name: Uint8Array, namespace: Uint8Array): string {
  const b = createHash('sha1').update(namespace).update(name).digest();
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = (from: number, to: number) => {
    let s = '';
    for (let i = from; i < to; i++) s += HEX[b[i]!];
    return s;
  };
  return `${h(0, 4)}-${h(4, 6)}-${h(6, 8)}-${h(8, 10)}-${h(10, 16)}`;
}

/**
 * Spec §4: the UUID a person created for `distinctId` gets, and the person id
 * person-less events of that distinct id are stored with.
 */
export function uuidFromDistinctId(projectId: number, distinctId: string): string {
  const name = `${projectId}:${distinctId}`;
  let uuid = remembered.get(name);
  if (uuid === undefined) {
    // UTF-8 bytes via TextEncoder: a lone surrogate becomes U+FFFD instead of throwing.
    uuid = uuidV5(encoder.encode(name), PERSON_UUID_NAMESPACE);
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
    remembered.set(name, uuid);
  }
  return uuid;
}
