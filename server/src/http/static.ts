// The built web app (web/dist). Hashed assets are cached forever; index.html is revalidated on
// every load so a new build is picked up. Without a build, a plain 503 page says what to do.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/** web/dist relative to this module: server/{src,dist}/http/ → ../../../web/dist. */
export const DEFAULT_WEB_ROOT = resolve(fileURLToPath(new URL('../../../web/dist', import.meta.url)));

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>shellgate</title>
<h1>The web app is not built</h1><p>Run <code>npm run build</code>, then reload this page.</p>\n`;

export function staticRoutes(root: string): Router {
  const router = Router();
  const index = join(root, 'index.html');
  if (!existsSync(index)) {
    router.get(['/', '/index.html'], (_request, response) => {
      response.status(503).type('html').set('Cache-Control', 'no-store').send(NOT_BUILT);
    });
    return router;
  }
  router.use(
    '/assets',
    express.static(join(root, 'assets'), {
      immutable: true,
      maxAge: 31_536_000_000,
      index: false,
      fallthrough: false,
    }),
  );
  router.get(['/', '/index.html'], (_request, response, next) => {
    response.set('Cache-Control', 'no-cache');
    response.sendFile(index, { cacheControl: false }, (error) => {
      if (error !== undefined) next(error);
    });
  });
  router.use(
    express.static(root, {
      index: false,
      cacheControl: false,
      dotfiles: 'deny',
      setHeaders: (response) => response.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  return router;
}
