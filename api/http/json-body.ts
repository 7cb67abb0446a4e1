import express, { type RequestHandler } from 'express';
import { UnsupportedMediaType } from '../errors.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Parses a JSON body of at most `limitBytes`. Anything but a JSON content type is refused with 415
 * before a byte is read; body-parser's own failures (400, 413) go to the problem middleware.
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  const parse = express.json({ limit: limitBytes, strict: true, type: JSON_TYPES });
  const requireJson: RequestHandler = (req, _res, next) => {
    next(req.is(JSON_TYPES) ? undefined : new UnsupportedMediaType(req.get('content-type')));
  };
  return [requireJson, parse];
}
