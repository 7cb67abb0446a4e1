import express, { type RequestHandler } from 'express';
import typeis from 'type-is';
import { UnsupportedMediaType } from '../../shared/errors.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Parses a JSON body of at most `limitBytes`. Anything but a JSON content type is refused with 415
 * before a byte is read; body-parser's own failures (400, 413) go to the problem handler. Plain
 * Node middleware (type-is is what Express's `req.is` calls), so both HTTP lanes run exactly this.
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  const parse = express.json({ limit: limitBytes, strict: true, type: JSON_TYPES });
  const requireJson: RequestHandler = (req, _res, next) => {
    next(typeis(req, JSON_TYPES) ? undefined : new UnsupportedMediaType(req.headers['content-type']));
  };
  return [requireJson, parse];
}
