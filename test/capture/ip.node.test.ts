import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIp } from '../../src/capture/ip';

describe('parseIp / parseCidr', () => {
  it('reads IPv4, IPv6, ports, brackets and IPv4-mapped addresses; refuses the rest', () => {
    expect(parseIp('203.0.113.9')?.text).toBe('203.0.113.9');
    expect(parseIp(' 203.0.113.9:4431 ')?.text).toBe('203.0.113.9');
    expect(parseIp('2001:DB8:0:0:0:0:0:1')?.text).toBe('2001:db8::1');
    expect(parseIp('[2001:db8::1]:443')?.text).toBe('2001:db8::1');
    expect(parseIp('::ffff:198.51.100.4')?.text).toBe('198.51.100.4');
    expect(parseIp('fe80::1%eth0')?.text).toBe('fe80::1');
    expect(parseIp('::')?.text).toBe('::');
    expect(parseIp('1:0:0:2:0:0:0:3')?.text).toBe('1:0:0:2::3');
    for (const bad of [
      '',
      'unknown',
      '256.1.1.1',
      '1.2.3',
      '01.2.3.4',
      '1.2.3.4.5',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      '[::1',
      'x'.repeat(100),
      '1.2.3.4/8',
      '<script>',
    ]) {
      expect(parseIp(bad), bad).toBeNull();
    }
  });

  it('matches CIDRs of both families, single addresses and mapped ranges', () => {
    const ip = (t: string) => parseIp(t)!;
    expect(cidrContains(parseCidr('10.0.0.0/8')!, ip('10.200.1.1'))).toBe(true);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, ip('11.0.0.1'))).toBe(false);
    expect(cidrContains(parseCidr('192.0.2.7')!, ip('192.0.2.7'))).toBe(true);
    expect(cidrContains(parseCidr('192.0.2.7')!, ip('192.0.2.8'))).toBe(false);
    expect(cidrContains(parseCidr('2001:db8::/32')!, ip('2001:db8:1::5'))).toBe(true);
    expect(cidrContains(parseCidr('2001:db8::/32')!, ip('2001:db9::5'))).toBe(false);
    expect(cidrContains(parseCidr('172.16.0.0/12')!, ip('172.31.255.255'))).toBe(true);
    expect(cidrContains(parseCidr('172.16.0.0/12')!, ip('172.32.0.0'))).toBe(false);
    expect(cidrContains(parseCidr('::ffff:10.0.0.0/104')!, ip('10.9.9.9'))).toBe(true);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, ip('8.8.8.8'))).toBe(true);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, ip('::ffff:10.0.0.1'))).toBe(true);
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/8', 'nope', '::/129', '[::1]/128', '10.0.0.0/-1'])
      expect(parseCidr(bad), bad).toBeNull();
  });
});
