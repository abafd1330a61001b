// Where Prometheus scrapes: GET /metrics on the gateway for a token with `metrics: true`, and/or a
// listener of its own (metrics.listen) that needs no credential — loopback unless the
// configuration says otherwise (config/schema.ts refuses anything else), so the numbers are never
// open to the network by default.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { ErrorCode } from '@shellgate/shared';
import { Router } from 'express';
import type { GatewayContext } from '../context.js';
import { sendError } from '../http/errors.js';
import { authenticate, credentialOf } from '../http/guards.js';
import type { Logger } from '../log/logger.js';
import type { GatewayMetrics } from './gateway-metrics.js';

export const METRICS_PATH = '/metrics';

/** The metrics listener could not bind `metrics.listen` (the gateway's own address is another). */
export class MetricsListenError extends Error {
  override readonly name = 'MetricsListenError';
  readonly code = 'METRICS_LISTEN_FAILED';

  constructor(host: string, port: number, cause: Error) {
    super(`cannot listen on metrics.listen ${host}:${port}: ${cause.message}`, { cause });
  }
}

/** GET /metrics for a principal allowed to read it. */
export function metricsRoutes(context: GatewayContext, metrics: GatewayMetrics): Router {
  const router = Router();
  router.get(METRICS_PATH, authenticate(context), (request, response, next) => {
    const { principal } = credentialOf(request);
    if (principal.metrics !== true) {
      const reason = `token "${principal.name}" may not read metrics (set "metrics": true on it)`;
      context.audit.record('auth-refused', {
        who: principal.name,
        from: context.proxy.clientAddress(request),
        method: request.method,
        path: request.baseUrl + request.path,
        code: ErrorCode.Forbidden,
        reason,
      });
      sendError(response, ErrorCode.Forbidden, reason);
      return;
    }
    metrics.scrape().then(({ contentType, body }) => {
      response.set('Cache-Control', 'no-store').type(contentType).send(body);
    }, next);
  });
  return router;
}

/** The metrics listener (metrics.listen): GET /metrics, nothing else. */
export class MetricsListener {
  readonly #server: Server;

  constructor(
    metrics: GatewayMetrics,
    private readonly logger: Logger,
  ) {
    this.#server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method !== 'GET' || path !== METRICS_PATH) {
        response
          .writeHead(404, { 'content-type': 'text/plain' })
          .end('not found: metrics live at /metrics\n');
        return;
      }
      metrics.scrape().then(
        ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
        (error: unknown) => {
          logger.error('metrics scrape failed', { error });
          response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n');
        },
      );
    });
    this.#server.headersTimeout = 10_000;
    this.#server.requestTimeout = 30_000;
  }

  /** Resolves with the port actually bound (0 picks one). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', (error) => reject(new MetricsListenError(host, port, error)));
      this.#server.listen(port, host, () => {
        this.#server.removeAllListeners('error');
        const address = this.#server.address();
        const bound = address !== null && typeof address === 'object' ? address.port : port;
        this.logger.info('metrics listening', { host, port: bound });
        resolve(bound);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
