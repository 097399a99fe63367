// The throttle's key for a client address: IPv4 as it is (an IPv4-mapped IPv6 address too), IPv6 as
// its /64, whatever the notation.
import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/http/client-address.js';

describe('a client address as the throttle counts it', () => {
  it('keeps IPv4 addresses, mapped or not', () => {
    expect(normalize('10.0.0.1')).toBe('10.0.0.1');
    expect(normalize('::ffff:10.0.0.1')).toBe('10.0.0.1');
  });

  it('reduces IPv6 addresses to their /64, in one spelling', () => {
    const prefix = '2001:db8:0:1::/64';
    for (const address of [
      '2001:db8:0:1::1',
      '2001:DB8:0:1:aaaa::2',
      '2001:0db8:0000:0001:ffff:ffff:ffff:ffff',
      '2001:db8:0:1::',
      '2001:db8:0:1:0:0:10.1.2.3',
      '2001:db8:0:1::9%eth0',
    ])
      expect(normalize(address), address).toBe(prefix);
    expect(normalize('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
    expect(normalize('::1')).toBe('0:0:0:0::/64');
    expect(normalize('::1:2:3:4:10.1.2.3')).toBe('0:0:1:2::/64');
    expect(normalize('64:ff9b::10.1.2.3')).toBe('64:ff9b:0:0::/64');
  });

  it('leaves what is not an address alone', () => {
    expect(normalize('unknown')).toBe('unknown');
  });
});
