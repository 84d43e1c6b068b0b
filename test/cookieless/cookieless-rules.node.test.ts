import { describe, expect, it } from 'vitest';
import { uuidV7Of } from '../../src/cookieless/apply';
import { dayOf, isUsable, nextDay, saltWindowOf, startOfDay, SALT_GRACE_MS } from '../../src/cookieless/days';
import { bytesOfBase64, cookielessHash, deviceIdOfHash, distinctIdOfHash } from '../../src/cookieless/hash';
import { rootDomainOf } from '../../src/cookieless/root-domain';

const UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/58.0.3029.110 Safari/537.3';
const base = {
  salt: 'AQIDBAUGBwgJCgsMDQ4PEA==',
  projectId: 1,
  ip: '1.2.3.4',
  rootDomain: 'example.com',
  userAgent: UA,
  n: 0,
  extra: '',
};
const EXTRA_100 =
  'Sphinx of Black Quartz, Judge My Vow. This is a pretty long extra string - it is exactly 100 chars!!';

// PostHog's rust/common/cookieless/src/test_cases.json: the same bytes as its TypeScript and Rust doHash.
const vectors: [Partial<typeof base>, string][] = [
  [{}, 'jZfBjkLcdjlQTVmIKIhC3Q=='],
  [{ salt: 'BBBBBBBBBBBBBBBBBBBBBA==' }, '+enbKKNpXkdkAyA7u+VkRA=='],
  [{ projectId: 3000 }, 'BiC9Zpcr2Ctyc6mvZh4+lg=='],
  [{ ip: '5.6.7.8' }, 'kmHSjAz71inr4axAIDUN1A=='],
  [{ rootDomain: 'other.com' }, 'HSTgvTovdKSCZxOWE0fiOA=='],
  [{ userAgent: 'Smart Fridge' }, 'sjSJh5qV4gsbEAc2DG6w7g=='],
  [{ n: 1 }, 'igaaEDUIUxmCqAaPyFWP7Q=='],
  [{ extra: EXTRA_100 }, 'lPLnR7N4qR683u8oyGmTGg=='],
  [
    { extra: `${EXTRA_100}! Actually no, it's longer, to make sure that this is truncated properly` },
    'lPLnR7N4qR683u8oyGmTGg==',
  ],
  [
    {
      salt: 'ymdOUMYgo0sM6RlAEjs6qQ==',
      ip: '127.0.0.1',
      rootDomain: '127.0.0.1:3000',
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:136.0) Gecko/20100101 Firefox/136.0',
    },
    '/R98LDV5ssv0VIx1j8n8aQ==',
  ],
];

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

describe('cookielessHash (PostHog test vectors)', () => {
  it.each(vectors)('%j', (change, expected) => {
    const c = { ...base, ...change };
    expect(b64(cookielessHash(bytesOfBase64(c.salt), c))).toBe(expected);
  });

  it('distinct and device ids: prefix + unpadded base64', () => {
    const hash = bytesOfBase64('jZfBjkLcdjlQTVmIKIhC3Q==');
    expect(distinctIdOfHash(hash)).toBe('cookieless_jZfBjkLcdjlQTVmIKIhC3Q');
    expect(deviceIdOfHash(hash)).toBe('cookielessd_jZfBjkLcdjlQTVmIKIhC3Q');
  });

  it('refuses a salt that is not 16 bytes', () => {
    expect(() => cookielessHash(new Uint8Array(8), base)).toThrow();
  });
});

describe('rootDomainOf (PostHog test vectors)', () => {
  it.each([
    ['https://test.example.com/foo', 'example.com'],
    ['https://test.example.co.uk/foo', 'example.co.uk'],
    ['http://localhost:3000', '127.0.0.1:3000'],
    ['http://127.0.0.1:3000', '127.0.0.1:3000'],
    ['http://127.0.0.1:3000/foo', '127.0.0.1:3000'],
    ['http://127.0.0.1:3000#foo', '127.0.0.1:3000'],
    ['1.2.3.4', '1.2.3.4'],
    ['1.2.3.4:5000', '1.2.3.4:5000'],
    ['example.co.uk', 'example.co.uk'],
    ['sub.example.com', 'example.com'],
    ['http://example.com:8000', 'example.com:8000'],
    ['https://user:pass@example.com', 'example.com'],
    ['https://example.com?param=value', 'example.com'],
    ['https://example.com#fragment', 'example.com'],
    ['localhost', '127.0.0.1'],
    ['', ''],
    ['example.com:8080', 'example.com:8080'],
    ['sub.example.co.uk:8080', 'example.co.uk:8080'],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '[2001:db8:85a3::8a2e:370:7334]'],
    ['http://[2001:0db8:85a3:0000:0000:8a2e:0370:7334]', '[2001:db8:85a3::8a2e:370:7334]'],
    ['[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:8080', '[2001:db8:85a3::8a2e:370:7334]:8080'],
    ['http://[2001:0db8:85a3::8a2e:0370:7334]:8080', '[2001:db8:85a3::8a2e:370:7334]:8080'],
    ['[::1]', '[::1]'],
    ['[::1]:8080', '[::1]:8080'],
    ['::1', '[::1]'],
    ['https://a.b.example.com.au/x', 'example.com.au'],
  ])('%s → %s', (host, expected) => {
    expect(rootDomainOf(host)).toBe(expected);
  });
});

describe('days in the project timezone', () => {
  it('dayOf follows the timezone', () => {
    const t = Date.UTC(2026, 5, 1, 22, 30); // 22:30 UTC
    expect(dayOf(t, 'UTC')).toBe('2026-06-01');
    expect(dayOf(t, 'Europe/Berlin')).toBe('2026-06-02'); // 00:30 CEST
    expect(dayOf(t, 'America/New_York')).toBe('2026-06-01');
  });

  it('startOfDay is local midnight, also across DST changes and odd offsets', () => {
    expect(startOfDay('2026-06-02', 'Europe/Berlin')).toBe(Date.UTC(2026, 5, 1, 22));
    expect(startOfDay('2026-03-29', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 28, 23)); // DST starts that night
    expect(startOfDay('2026-03-30', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 22));
    expect(startOfDay('2026-01-10', 'Asia/Kathmandu')).toBe(Date.UTC(2026, 0, 9, 18, 15));
    expect(startOfDay('2026-01-10', 'UTC')).toBe(Date.UTC(2026, 0, 10));
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('a salt is usable from the start of its day until the day ends plus the grace period', () => {
    const tz = 'America/New_York';
    const w = saltWindowOf(Date.UTC(2026, 5, 1, 12), tz);
    expect(w.day).toBe('2026-06-01');
    const end = startOfDay('2026-06-02', tz);
    expect(w.expiresAt).toBe(end + SALT_GRACE_MS);
    expect(isUsable(w, end + SALT_GRACE_MS - 1)).toBe(true);
    expect(isUsable(w, end + SALT_GRACE_MS)).toBe(false);
    expect(isUsable(w, startOfDay('2026-06-01', tz) - 2 * 3_600_000)).toBe(false);
  });
});

describe('uuidV7Of', () => {
  it("is PostHog's UUID7(ms, rand): time in the first 48 bits, version 7, RFC variant", () => {
    const id = uuidV7Of(Date.UTC(2026, 0, 1), new Uint8Array(10).fill(0xff));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7fff-bfff-ffffffffffff$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 1));
  });
});
