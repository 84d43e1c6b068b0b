import { hash as sipHash128 } from '@posthog/siphash/lib/siphash-double';

/** Characters of `$cookieless_extra` that go into the hash (PostHog: 100). */
const MAX_EXTRA_CHARS = 100;

/**
 * PostHog's cookieless hash: SipHash-2-4 (128-bit output) keyed by the day's
 * 16-byte salt over `project-ip-rootDomain-userAgent-n-extra`. Same bytes as
 * PostHog's TypeScript and Rust `doHash` (checked against their test vectors).
 */
export function cookielessHash(salt: Uint8Array, input: HashInput): Uint8Array {
  if (salt.length !== 16) throw new Error('the cookieless salt must be 16 bytes');
  const extra = Array.from(input.extra ?? '')
    .slice(0, MAX_EXTRA_CHARS)
    .join('');
  const text = `${input.projectId}-${input.ip}-${input.rootDomain}-${input.userAgent}-${input.n ?? 0}-${extra}`;
  const words = sipHash128(uint32sLE(salt), text);
  return bytesLE(words);
}

export interface HashInput {
  projectId: number;
  ip: string;
  rootDomain: string;
  userAgent: string;
  /** How many `$identify` events of this visitor came before (stateful mode); 0 otherwise. */
  n?: number;
  extra?: string;
}

/** `cookieless_` + unpadded base64 of the hash (PostHog's `hashToDistinctId`). */
export const distinctIdOfHash = (hash: Uint8Array) => `cookieless_${unpaddedBase64(hash)}`;

/** `cookielessd_` + unpadded base64 of the base hash (n = 0), PostHog's `$device_id`. */
export const deviceIdOfHash = (baseHash: Uint8Array) => `cookielessd_${unpaddedBase64(baseHash)}`;

export function unpaddedBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/=+$/, '');
}

export function bytesOfBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function uint32sLE(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint32Array.from({ length: bytes.length / 4 }, (_, i) => view.getUint32(i * 4, true));
}

function bytesLE(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (const [i, w] of words.entries()) view.setUint32(i * 4, w, true);
  return out;
}
