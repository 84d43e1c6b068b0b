import { describe, expect, it } from 'vitest';
import { isSameOrigin } from '../../src/web/session';

describe('session: same origin', () => {
  it('same-origin check: Sec-Fetch-Site, else Origin against Host or the forwarded host', () => {
    const req = (headers: Record<string, string>) =>
      new Request('http://svc.test/app/login', { method: 'POST', headers });
    expect(isSameOrigin(req({ 'Sec-Fetch-Site': 'same-origin' }))).toBe(true);
    expect(isSameOrigin(req({ 'Sec-Fetch-Site': 'same-site', Origin: 'http://svc.test' }))).toBe(false);
    expect(isSameOrigin(req({ 'Sec-Fetch-Site': 'cross-site' }))).toBe(false);
    expect(isSameOrigin(req({ Origin: 'http://svc.test' }))).toBe(true);
    expect(isSameOrigin(req({ Origin: 'https://shop.example', 'X-Forwarded-Host': 'shop.example' }))).toBe(true);
    expect(isSameOrigin(req({ Origin: 'https://evil.example' }))).toBe(false);
    expect(isSameOrigin(req({ Origin: 'null' }))).toBe(false);
    expect(isSameOrigin(req({}))).toBe(false);
  });
});
