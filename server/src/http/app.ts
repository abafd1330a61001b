// The express app: guards, the JSON API under /api, /healthz, the client bundle, the static web app.
import { ErrorCode } from '@shellgate/shared';
import express from 'express';
import type { GatewayContext } from '../context.js';
import { clientBundleRoutes } from './client-bundle.js';
import { errorHandler, sendError } from './errors.js';
import { hostGuard, notClosing, originGuard } from './guards.js';
import { securityHeaders } from './headers.js';
import { authRoutes } from './routes/auth.js';
import { recordingRoutes } from './routes/recordings.js';
import { sessionRoutes } from './routes/sessions.js';
import { DEFAULT_WEB_ROOT, staticRoutes } from './static.js';

export function createApp(context: GatewayContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(securityHeaders);

  app.get('/healthz', (_request, response) => {
    response.set('Cache-Control', 'no-store').json({
      status: context.closing ? 'shutting-down' : 'ok',
      containment: context.containment.status,
    });
  });

  app.use(hostGuard(context));

  const api = express.Router();
  api.use(notClosing(context));
  api.use(originGuard(context));
  api.use((_request, response, next) => {
    response.set('Cache-Control', 'no-store');
    next();
  });
  api.use(express.json({ limit: context.config.limits.maxBodyBytes, strict: true }));
  api.use(authRoutes(context));
  api.use(sessionRoutes(context));
  api.use(recordingRoutes(context));
  api.use((request, response) => {
    sendError(
      response,
      ErrorCode.NotFound,
      `no route ${request.method} ${request.baseUrl}${request.path.slice(0, 200)}`,
    );
  });
  app.use('/api', api);

  app.use(clientBundleRoutes());
  app.use(staticRoutes(context.config.webRoot ?? DEFAULT_WEB_ROOT));
  app.use((request, response) => {
    if (request.method === 'GET' || request.method === 'HEAD')
      response.status(404).type('text').send('not found\n');
    else sendError(response, ErrorCode.NotFound, 'not found');
  });
  app.use(errorHandler(context.logger, context.config.limits.maxBodyBytes));
  return app;
}
