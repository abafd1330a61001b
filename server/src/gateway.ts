// Assembles a gateway from a validated configuration: HTTP(S) server, express app, WebSocket
// upgrade handling, session registry, heartbeats, and an orderly shutdown.
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { CloseCode, SUBPROTOCOL } from '@shellgate/shared';
import { WebSocketServer } from 'ws';
import { Authenticator } from './auth/authenticate.js';
import { LoginStore } from './auth/logins.js';
import { OriginPolicy } from './auth/origin.js';
import { FailureLimiter } from './auth/rate-limit.js';
import { TokenStore } from './auth/tokens.js';
import type { GatewayConfig } from './config/load.js';
import { Containment } from './containment/index.js';
import type { GatewayContext } from './context.js';
import { createApp } from './http/app.js';
import { createAudit } from './log/audit.js';
import { createLogger } from './log/logger.js';
import { TimeoutError, withTimeout } from './process/index.js';
import type { Logger } from './log/logger.js';
import { RecordingStore } from './recording/store.js';
import { SessionActions } from './sessions/actions.js';
import { SessionRegistry } from './sessions/registry.js';
import { Connections } from './ws/connection.js';
import { Heartbeat } from './ws/heartbeat.js';
import { upgradeHandler } from './ws/upgrade.js';

/** A client must have sent its request headers within this (docs/security.md). */
const HEADERS_TIMEOUT_MS = 10_000;
/** A WebSocket close handshake the peer does not finish within this is cut short. */
const CLOSE_TIMEOUT_MS = 2_000;
/** Shutdown waits for the termination stages (close stdin, SIGTERM, SIGKILL), each a grace period… */
const SHUTDOWN_STAGES = 4;
/** …plus this, before it kills whatever is left. */
const SHUTDOWN_SLACK_MS = 5_000;

export interface Gateway {
  /** Starts listening; resolves with the address actually bound (port 0 picks a free one). */
  listen(): Promise<{ host: string; port: number; url: string }>;
  /** Tells clients, terminates every session with escalation, closes everything. Idempotent. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Defaults to a JSON-lines logger on stderr at the configured level. */
  logger?: Logger;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger(config.log.level);
  const audit = createAudit(logger, config.log.audit);
  const actions = new SessionActions(audit);
  const recordings = new RecordingStore(config.recording, logger);
  // Throws (ContainmentError) when the configuration asks for containment this host cannot give.
  const containment = Containment.create(config.containment, logger);
  const context: GatewayContext = {
    config,
    logger,
    audit,
    actions,
    recordings,
    containment,
    registry: new SessionRegistry(config, logger, audit, actions, recordings, containment),
    authenticator: new Authenticator(new TokenStore(config.tokens), new LoginStore(config.limits.loginTtlMs)),
    policy: new OriginPolicy({
      bindHost: config.host,
      allowedHosts: config.allowedHosts,
      allowedOrigins: config.allowedOrigins,
      tls: config.tls !== undefined,
    }),
    authFailures: new FailureLimiter(config.limits.loginFailuresPerMinute),
    closing: false,
    revokeLogin: () => undefined,
  };

  const app = createApp(context);
  // Slowloris and idle keep-alive bounds; WebSocket connections are upgraded out of these. Node
  // enforces the first two only when it sweeps its connections, every connectionsCheckingInterval
  // (30 s by default): sweeping every second makes the documented bound true to within a second.
  const serverOptions = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: 1_000,
  };
  const server: Server =
    config.tls === undefined
      ? createHttpServer(serverOptions, app)
      : createHttpsServer({ ...serverOptions, cert: config.tls.cert, key: config.tls.key }, app);

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: config.limits.maxMessageBytes,
    perMessageDeflate: false,
    // A close handshake the peer does not finish within this is cut short.
    closeTimeout: CLOSE_TIMEOUT_MS,
    handleProtocols: () => SUBPROTOCOL,
  });
  const heartbeat = new Heartbeat(config.limits.heartbeatIntervalMs);
  const connections = new Connections(context, heartbeat);
  context.revokeLogin = (loginId) => connections.revokeLogin(loginId);
  server.on('upgrade', upgradeHandler(context, wss, connections));
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  let closing: Promise<void> | undefined;
  const scheme = config.tls === undefined ? 'http' : 'https';

  return {
    async listen() {
      // The directory exists and retention has run before the first session can be recorded.
      await recordings.open();
      const swept = await containment.open();
      if (swept.length > 0) logger.info('removed the cgroups of gateways that had died', { cgroups: swept });
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const address = server.address();
          if (address === null || typeof address === 'string') {
            reject(new Error('the server is not listening on a TCP address'));
            return;
          }
          const host = formatHost(address.address);
          logger.info('listening', {
            host: address.address,
            port: address.port,
            tls: config.tls !== undefined,
            containment: containment.status,
          });
          resolve({ host: address.address, port: address.port, url: `${scheme}://${host}:${address.port}` });
        });
      });
    },
    close() {
      closing ??= (async () => {
        context.closing = true;
        logger.info('shutting down', { sessions: context.registry.size, connections: connections.size });
        connections.announceShutdown();
        // Escalation ends in SIGKILL, so this should never take long; should a session still not
        // be done by the deadline, closeAll kills what is left rather than shutdown hanging.
        const grace = config.limits.terminateGracePeriodMs;
        try {
          const results = await withTimeout(SHUTDOWN_STAGES * grace + SHUTDOWN_SLACK_MS, () =>
            context.registry.terminateAll(grace),
          );
          logger.info('sessions terminated', { sessions: results.size });
        } catch (error) {
          if (!(error instanceof TimeoutError)) throw error;
          logger.warn('sessions did not all exit in time: killing what is left', { error });
        }
        context.registry.closeAll(CloseCode.GoingAway, 'gateway shutting down');
        heartbeat.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        connections.terminateAll();
        await containment.close();
        await recordings.close();
        await audit.close();
      })();
      return closing;
    },
  };
}
