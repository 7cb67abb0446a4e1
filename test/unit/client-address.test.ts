import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, clientKey } from '../../api/http/client-address.js';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientAddress: who a per-client limit counts', () => {
  it('no trusted proxy: the socket peer, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(request('10.0.0.9', '1.2.3.4'), 0)).toBe('10.0.0.9');
  });

  it('one trusted proxy: the address that proxy saw (rightmost X-Forwarded-For entry)', () => {
    expect(clientAddress(request('10.0.0.1', '203.0.113.7'), 1)).toBe('203.0.113.7');
  });

  it('a client forging X-Forwarded-For behind one proxy cannot pick its own identity', () => {
    expect(clientAddress(request('10.0.0.1', '6.6.6.6, 203.0.113.7'), 1)).toBe('203.0.113.7');
  });

  it('two trusted proxies: second from the right; a short chain falls back to its leftmost entry', () => {
    expect(clientAddress(request('10.0.0.1', '203.0.113.7, 10.0.0.2'), 2)).toBe('203.0.113.7');
    expect(clientAddress(request('10.0.0.1'), 2)).toBe('10.0.0.1');
  });
});

describe('clientKey: IPv6 clients are counted by prefix', () => {
  it('two addresses of one /56 are one client; another /56 is another; IPv4 (and IPv4-mapped) stays as is', () => {
    expect(clientKey('2001:db8:aa:bb01::1')).toBe(clientKey('2001:db8:aa:bbff:1234:5678:9abc:def0'));
    expect(clientKey('2001:db8:aa:bb01::1')).not.toBe(clientKey('2001:db8:aa:cc00::1'));
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });
});
