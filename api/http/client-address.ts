import type { IncomingMessage, ServerResponse } from 'node:http';
import { ipKeyGenerator } from 'express-rate-limit';
import { BoundedMemo } from '../../shared/bounded-memo.js';

// Not `client`: IncomingMessage already has one (a deprecated alias of its socket).
type WithClient = IncomingMessage & { peer?: string; trustedHops?: number; clientKey?: string };

/**
 * The client's address: the socket's peer, or, behind `trustedHops` reverse proxies, the address the
 * outermost trusted proxy saw (X-Forwarded-For read from the right, so a client cannot forge it by
 * sending its own header).
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const peer = (req as WithClient).peer ?? req.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return peer;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedHops)]!;
}

/**
 * Keys by address: every miss spends a budget, and parsing its address (the IPv4-mapped `::ffff:…`
 * a dual-stack socket reports) took 3 % of the gateway's busy time in a saturated miss run. Bounded,
 * since one IPv6 subscriber can connect from endless addresses.
 */
const clientKeys = new BoundedMemo<string>(4096);

/**
 * What per-client limits count by: the address, except that an IPv6 address stands for its /56
 * (express-rate-limit's ipKeyGenerator), since one subscriber holds a whole prefix and could
 * otherwise take a new budget (and a new counter key) per address.
 */
export function clientKey(address: string): string {
  return clientKeys.get(address, () => ipKeyGenerator(address));
}

/**
 * Middleware for both HTTP lanes: notes the peer and how many proxies to trust. The peer is read now,
 * while the socket is open (a client that hangs up at once must still be charged as itself); the key
 * is worked out by `clientOf`, only for a request that spends a budget (a miss, a write, a poll):
 * cache hits are most of the traffic, and parsing an IPv6 (or IPv4-mapped) address cost them 5 % of
 * their CPU.
 */
export function identifyClient(trustedHops: number) {
  return (req: IncomingMessage, _res: ServerResponse, next: () => void): void => {
    const known = req as WithClient;
    known.peer = req.socket.remoteAddress ?? 'unknown';
    known.trustedHops = trustedHops;
    next();
  };
}

/** The request's client key (see clientKey), worked out on first use and remembered. */
export function clientOf(req: IncomingMessage): string {
  const known = req as WithClient;
  known.clientKey ??= clientKey(clientAddress(req, known.trustedHops ?? 0));
  return known.clientKey;
}
