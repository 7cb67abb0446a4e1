import type { RequestHandler } from 'express';

/** The stylesheet link Bull Board's page template (@bull-board/ui dist/index.ejs) hard-codes. */
const GOOGLE_FONTS_LINK = /<link[^>]*href="https:\/\/fonts\.googleapis\.com\/[^"]*"[^>]*>\s*/g;

/**
 * Drops Bull Board's Google Fonts stylesheet from its page, so the board makes no outside request
 * (offline hosts and the CSP would block it, and it tells Google who opens the board). The board's
 * CSS names fallbacks (sans-serif, monospace) that the browser uses instead. bull-board has no
 * option for it: the link is in its template, rendered with `res.render` by its Express adapter,
 * so this wraps `res.render` for the requests that reach the board.
 */
export function withoutOutsideFonts(): RequestHandler {
  return (_req, res, next) => {
    const render = res.render.bind(res);
    res.render = ((view: string, options?: object) =>
      render(view, options ?? {}, (error: Error | null, html: string) => {
        if (error) next(error);
        else res.send(html.replace(GOOGLE_FONTS_LINK, ''));
      })) as typeof res.render;
    next();
  };
}
