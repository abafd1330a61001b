// The operator client for machines without the repository (docs/client.md, "Getting the client"):
// GET /client/shellgate.mjs, one file to run with Node ≥ 20, and GET /client/shellgate-client.tgz,
// the same as an npm package (`npm install -g URL` gives a `shellgate` command). Neither is secret,
// so neither needs a credential. Both are built by `npm run build` into client/dist.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';

/** client/dist relative to this module: server/{src,dist}/http/ → ../../../client/dist. */
export const DEFAULT_CLIENT_ROOT = resolve(fileURLToPath(new URL('../../../client/dist', import.meta.url)));

const FILES = {
  '/client/shellgate.mjs': { name: 'shellgate.mjs', type: 'text/javascript; charset=utf-8' },
  '/client/shellgate-client.tgz': { name: 'shellgate-client.tgz', type: 'application/gzip' },
} as const;

export function clientBundleRoutes(root: string = DEFAULT_CLIENT_ROOT): Router {
  const router = Router();
  for (const [path, file] of Object.entries(FILES)) {
    const location = join(root, file.name);
    router.get(path, (_request, response, next) => {
      // Checked on each request: a build after the gateway started is picked up.
      if (!existsSync(location)) {
        response.status(503).type('text').set('Cache-Control', 'no-store');
        response.send('the client is not built: run `npm run build` on the gateway host\n');
        return;
      }
      response.set('Cache-Control', 'no-cache').type(file.type);
      response.sendFile(location, { cacheControl: false, dotfiles: 'deny' }, (error) => {
        if (error !== undefined) next(error);
      });
    });
  }
  return router;
}
