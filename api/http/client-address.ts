import type { IncomingMessage, ServerResponse } from 'node:http';
import { ipKeyGenerator } from 'express-rate-limit';

type WithClient = IncomingMessage & { client?: string };

/**
 * The client's address: the socket's peer, or, behind `trustedHops` reverse proxies, the address the
 * outermost trusted proxy saw (X-Forwarded-For read from the right, so a client cannot forge it by
 * sending its own header).
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return peer;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedHops)]!;
}

/**
 * What per-client limits count by: the address, except that an IPv6 address stands for its /56
 * (express-rate-limit's ipKeyGenerator), since one subscriber holds a whole prefix and could
 * otherwise take a new budget (and a new counter key) per address.
 */
export function clientKey(address: string): string {
  return ipKeyGenerator(address);
}

/** Middleware for both HTTP lanes: sets `req.client` (what per-client limits count by). */
export function identifyClient(trustedHops: number) {
  return (req: IncomingMessage, _res: ServerResponse, next: () => void): void => {
    (req as WithClient).client = clientKey(clientAddress(req, trustedHops));
    next();
  };
}

export function clientOf(req: IncomingMessage): string {
  return (req as WithClient).client ?? clientKey(req.socket.remoteAddress ?? 'unknown');
}
