/** IP addresses and CIDR ranges, parsed strictly (forwarding headers are untrusted text). */

export interface IpAddress {
  /** 4 bytes (IPv4) or 16 bytes (IPv6). An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is its IPv4 address. */
  bytes: Uint8Array;
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  text: string;
}

export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const MAX_ADDRESS_CHARS = 64;

function ipv4Bytes(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => IPV4_PART.test(p))) return null;
  return Uint8Array.from(parts.map(Number));
}

function ipv6Bytes(text: string): Uint8Array | null {
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  let tail: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail = ipv4Bytes(text.slice(lastColon + 1));
    if (!tail) return null;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groupsOf(halves[0]!);
  const rest = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (![...head, ...rest].every((g) => IPV6_GROUP.test(g))) return null;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...rest].map((g) => parseInt(g, 16));
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  if (tail) bytes.set(tail, 12);
  return bytes;
}

const isV4Mapped = (b: Uint8Array) =>
  b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

function ipv6Text(b: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  // RFC 5952: the longest run (the first on a tie) of two or more zero groups becomes `::`.
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/** An address as written in a header: bare, `[v6]`, `[v6]:port` or `v4:port`. Null when it is not one. */
export function parseIp(raw: string): IpAddress | null {
  let text = raw.trim();
  if (text.length === 0 || text.length > MAX_ADDRESS_CHARS) return null;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end === -1 || !/^(:\d{1,5})?$/.test(text.slice(end + 1))) return null;
    text = text.slice(1, end);
  } else if (/^[\d.]+:\d{1,5}$/.test(text)) {
    text = text.slice(0, text.indexOf(':'));
  }
  if (!text.includes(':')) {
    const v4 = ipv4Bytes(text);
    return v4 ? { bytes: v4, text } : null;
  }
  const v6 = ipv6Bytes(text);
  if (!v6) return null;
  if (isV4Mapped(v6)) {
    const v4 = v6.slice(12);
    return { bytes: v4, text: v4.join('.') };
  }
  return { bytes: v6, text: ipv6Text(v6) };
}

/** `a.b.c.d/n`, `v6/n`, or a single address (a /32 or /128). Null when malformed. */
export function parseCidr(raw: string): Cidr | null {
  const [address, prefixText, ...extra] = raw.trim().split('/');
  if (extra.length > 0 || address === undefined) return null;
  const ip = parseIp(address);
  if (!ip || address.includes('[')) return null;
  const bits = ip.bytes.length * 8;
  if (prefixText === undefined) return { bytes: ip.bytes, prefix: bits };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  // `::ffff:10.0.0.0/104` means 10.0.0.0/8.
  const mappedPrefix = ip.bytes.length === 4 && address.includes(':') ? prefix - 96 : prefix;
  if (mappedPrefix < 0 || mappedPrefix > bits) return null;
  return { bytes: ip.bytes, prefix: mappedPrefix };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.bytes.length !== ip.bytes.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.bytes[i]! & mask) !== (ip.bytes[i]! & mask)) return false;
  }
  return true;
}
