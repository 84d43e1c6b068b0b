import { describe, expect, it } from 'vitest';
import { isSameOrigin } from '../../src/web/session';

describe('session: same origin', () => {
  it("same-origin check: Sec-Fetch-Site, else Origin against the request's own host; never a forwarded host", () => {
    const req = (headers: Record<string, string>) =>
      new Request('http://svc.test/app/login', { method: 'POST', headers });
    expect(isSameOrigin(req({ 'Sec-Fetch-Site': 'same-origin' }))).toBe(true);
    expect(isSameOrigin(req({ 'Sec-Fetch-Site': 'same-site', Origin: 'http://svc.test' }))).toBe(false);
    expect(isSameOrigin(req({ 'Sec-Fetch-Site': 'cross-site' }))).toBe(false);
    expect(isSameOrigin(req({ Origin: 'http://svc.test' }))).toBe(true);
    // Any client can send X-Forwarded-Host; the attack passed with it.
    expect(isSameOrigin(req({ Origin: 'https://evil.example', 'X-Forwarded-Host': 'evil.example' }))).toBe(false);
    expect(isSameOrigin(req({ Origin: 'https://shop.example', 'X-Forwarded-Host': 'shop.example' }))).toBe(false);
    expect(isSameOrigin(req({ Origin: 'https://evil.example', Host: 'evil.example' }))).toBe(false);
    expect(isSameOrigin(req({ Origin: 'http://SVC.test' }))).toBe(true);
    expect(isSameOrigin(req({ Origin: 'http://svc.test.evil.example' }))).toBe(false);
    expect(isSameOrigin(req({ Origin: 'https://evil.example' }))).toBe(false);
    expect(isSameOrigin(req({ Origin: 'null' }))).toBe(false);
    expect(isSameOrigin(req({}))).toBe(false);
  });
});
