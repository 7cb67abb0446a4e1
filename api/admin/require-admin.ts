import type { RequestHandler } from 'express';
import { BASIC_AUTH_CHALLENGE, isAuthorized, type AdminCredentials } from '../../shared/admin-auth.js';
import { sendProblem } from '../http/problem.js';

/** Basic auth in front of operator surfaces (Bull Board, /metrics), for every method and path below them. */
export function requireAdmin(credentials: AdminCredentials): RequestHandler {
  return (req, res, next) => {
    if (isAuthorized(req.get('authorization'), credentials)) return next();
    sendProblem(
      res,
      { type: 'about:blank', title: 'Credentials required', status: 401, code: 'UNAUTHORIZED' },
      { 'WWW-Authenticate': BASIC_AUTH_CHALLENGE },
    );
  };
}
