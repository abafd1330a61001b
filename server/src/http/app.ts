// The express app: guards, the JSON API under /api, /healthz, /metrics, the client bundle, the
// static web app — all under the configured base path (`/shell/…` behind a proxy's sub-path).
import { ErrorCode } from '@shellgate/shared';
import express from 'express';
import type { GatewayContext } from '../context.js';
import { clientBundleRoutes } from './client-bundle.js';
import { errorHandler, sendError } from './errors.js';
import { hostGuard, notClosing, originGuard } from './guards.js';
import { securityHeaders } from './headers.js';
import { internalRoutes } from '../fleet/internal.js';
import { fleetRoutes } from '../fleet/routes.js';
import { INTERNAL_PREFIX } from '../fleet/types.js';
import { authRoutes } from './routes/auth.js';
import { recordingRoutes } from './routes/recordings.js';
import { sessionRoutes } from './routes/sessions.js';
import { shareRoutes } from './routes/shares.js';
import { DEFAULT_WEB_ROOT, staticRoutes } from './static.js';
import { metricsRoutes } from '../metrics/endpoint.js';
import { limitRefusals } from '../metrics/observe.js';

export function createApp(context: GatewayContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(securityHeaders);

  const health: express.RequestHandler = (_request, response) => {
    response.set('Cache-Control', 'no-store').json({
      status: context.closing ? 'shutting-down' : 'ok',
      containment: context.containment.status,
    });
  };
  // Fleet nodes forwarding to this one: signed, so neither Host nor Origin applies (docs/fleet.md).
  // At the root, whatever the base path: nodes reach each other directly, not through the proxy.
  if (context.config.fleet !== undefined)
    app.use(INTERNAL_PREFIX, notClosing(context), internalRoutes(context));

  const { basePath } = context.config;
  if (basePath !== '') {
    // Health probes (a container's HEALTHCHECK, a load balancer) ask the gateway itself, not
    // through the proxy: /healthz answers at the root too.
    app.get('/healthz', health);
    // `/shell` → `/shell/`: the web app's relative URLs resolve against the directory.
    app.use((request, response, next) => {
      const queryAt = request.url.indexOf('?');
      const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
      if (path === basePath)
        response.redirect(301, `${basePath}/${queryAt === -1 ? '' : request.url.slice(queryAt)}`);
      else next();
    });
  }
  app.use(basePath === '' ? '/' : basePath, gatewayRoutes(context, health));
  app.use(notFound);
  app.use(errorHandler(context.logger, context.config.limits.maxBodyBytes));
  return app;
}

const notFound: express.RequestHandler = (request, response) => {
  if (request.method === 'GET' || request.method === 'HEAD')
    response.status(404).type('text').send('not found\n');
  else sendError(response, ErrorCode.NotFound, 'not found');
};

/** Everything the gateway serves, relative to its base path. */
function gatewayRoutes(context: GatewayContext, health: express.RequestHandler): express.Router {
  const routes = express.Router();
  routes.get('/healthz', health);
  routes.use(hostGuard(context));

  const api = express.Router();
  api.use(notClosing(context));
  api.use(originGuard(context));
  api.use((_request, response, next) => {
    response.set('Cache-Control', 'no-store');
    next();
  });
  api.use(express.json({ limit: context.config.limits.maxBodyBytes, strict: true }));
  // Each concern adds its routes to this one router rather than mounting a router of its own:
  // every router a request passes through costs express a dispatch of its own (~50 µs of CPU per
  // request for the fleet's, measured outside a fleet; docs/benchmarks.md, "Requests born as
  // express's").
  authRoutes(api, context);
  // Before the session routes, which authenticate everything that passes through them: opening a
  // link is how a visitor gets a credential in the first place.
  shareRoutes(api, context);
  // Fleet additions (requests about this node's own sessions fall through to the session routes).
  fleetRoutes(api, context);
  sessionRoutes(api, context);
  recordingRoutes(api, context);
  api.use((request, response) => {
    sendError(
      response,
      ErrorCode.NotFound,
      `no route ${request.method} ${request.baseUrl}${request.path.slice(0, 200)}`,
    );
  });
  routes.use('/api', api);

  if (context.metrics !== undefined) {
    routes.use(metricsRoutes(context, context.metrics));
    routes.use(limitRefusals(context.metrics));
  }
  routes.use(clientBundleRoutes());
  routes.use(staticRoutes(context.config.webRoot ?? DEFAULT_WEB_ROOT));
  routes.use(notFound);
  routes.use(errorHandler(context.logger, context.config.limits.maxBodyBytes));
  return routes;
}
