import { once } from 'node:events';
import { UnsupportedMediaType } from '../../shared/errors.js';
import type { Request, Response } from 'express';
import { Router } from 'express';
import typeis from 'type-is';
import { clientOf } from '../http/client-address.js';
import { writeAnswer } from '../http/respond.js';
import { POLL_AFTER_S } from '../handlers/answers.js';
import type { PortfolioIntake } from '../portfolios/portfolio-intake.js';
import type { PortfolioService } from '../portfolios/portfolio-service.js';
import type { PortfolioRecord } from '../portfolios/portfolio-store.js';
import { CSV_HEADER } from '../portfolios/results-format.js';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

function links(basePath: string, id: string) {
  const self = `${basePath}/portfolios/${id}`;
  return { self, results: `${self}/results` };
}

function statusBody(basePath: string, id: string, record: PortfolioRecord) {
  return {
    id,
    status: record.status,
    rows_total: record.rowsTotal,
    rows_done: record.rowsDone,
    rows_invalid: record.rowsInvalid,
    links: links(basePath, id),
  };
}

/** Sends text on a streamed response, waiting while the client's socket is full. */
function streamWriter(res: Response) {
  return async (text: string) => {
    if (!res.write(text)) await once(res, 'drain');
  };
}

/**
 * Portfolio rescoring (issue 14): a file in, watched, a file out. The upload and the results are
 * streams, so these handlers take req/res themselves; errors go on to the problem middleware.
 */
export function portfolioRoutes(
  intake: PortfolioIntake,
  service: PortfolioService,
  config: { basePath: string; idleTimeoutMs: number },
): Router {
  const { basePath, idleTimeoutMs } = config;
  const router = Router();
  router.post('/portfolios', async (req: Request, res: Response) => {
    const format = typeis(req, ['text/csv', 'application/x-ndjson']);
    if (format !== 'text/csv' && format !== 'application/x-ndjson') {
      res.setHeader('Connection', 'close');
      throw new UnsupportedMediaType(req.get('content-type'));
    }
    // A client that stops sending is cut: the intake then removes what it stored.
    const socket = req.socket;
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    try {
      const accepted = await intake.receive(req, format === 'text/csv' ? 'csv' : 'ndjson', clientOf(req));
      const self = links(basePath, accepted.id).self;
      writeAnswer(res, {
        status: 202,
        headers: { Location: self, 'Retry-After': String(POLL_AFTER_S) },
        body: {
          id: accepted.id,
          status: 'queued',
          rows_total: accepted.rows,
          rows_done: 0,
          rows_invalid: accepted.invalid,
          links: links(basePath, accepted.id),
        },
      });
    } catch (error) {
      // Refused mid-file: the rest of the body is not read, so the connection cannot be reused.
      if (!req.complete) res.setHeader('Connection', 'close');
      throw error;
    } finally {
      socket.setTimeout(0);
    }
  });
  router.get('/portfolios/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const record = await service.status(id, clientOf(req));
    const headers: Record<string, string> = FINISHED.has(record.status) ? {} : { 'Retry-After': String(POLL_AFTER_S) };
    writeAnswer(res, { status: 200, headers, body: statusBody(basePath, id, record) });
  });
  router.delete('/portfolios/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const record = await service.cancel(id, clientOf(req));
    writeAnswer(res, { status: 200, body: statusBody(basePath, id, record) });
  });
  router.get('/portfolios/:id/results', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const format = req.accepts(['application/x-ndjson', 'text/csv']) === 'text/csv' ? 'csv' : 'ndjson';
    let started = false;
    const write = streamWriter(res);
    try {
      await service.results(id, clientOf(req), format, async (text) => {
        if (!started) {
          started = true;
          res.status(200).type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
          if (format === 'csv') await write(CSV_HEADER);
        }
        await write(text);
      });
    } catch (error) {
      // Past the headers the status cannot change: cut the stream so the client sees it incomplete.
      if (started) {
        res.destroy();
        return;
      }
      throw error;
    }
    res.end();
  });
  return router;
}
