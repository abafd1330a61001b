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
import { messageClasses } from './http/message-classes.js';
import { createAudit } from './log/audit.js';
import { createLogger } from './log/logger.js';
import { TimeoutError, withTimeout } from './process/index.js';
import type { Logger } from './log/logger.js';
import { MetricsListener } from './metrics/endpoint.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { observedAudit } from './metrics/observe.js';
import { ProxyTrust } from './proxy/trust.js';
import { ProxyAuthenticator } from './auth/proxy-auth.js';
import { RecordingStore } from './recording/store.js';
import { SessionActions } from './sessions/actions.js';
import { ShareStore } from './shares/store.js';
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

/** The host part of a URL other fleet nodes could reach, or undefined for a wildcard address. */
function reachableHost(address: string): string | undefined {
  return address === '0.0.0.0' || address === '::' ? undefined : formatHost(address);
}

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger(config.log.level);
  // Read at scrape time; both exist before anything can be scraped.
  const live: { registry?: SessionRegistry; connections?: Connections } = {};
  const metrics = config.metrics.enabled
    ? new GatewayMetrics({
        sessions: () => live.registry?.all() ?? [],
        clients: () => live.connections?.roles() ?? [],
      })
    : undefined;
  const metricsListener = metrics === undefined ? undefined : new MetricsListener(metrics, logger);
  const plainAudit = createAudit(logger, config.log.audit, (event, record) =>
    context.fleet?.audit(event, record),
  );
  const audit = metrics === undefined ? plainAudit : observedAudit(plainAudit, metrics);
  const actions = new SessionActions(audit);
  const recordings = new RecordingStore(config.recording, logger);
  // Throws (ContainmentError) when the configuration asks for containment this host cannot give.
  const containment = Containment.create(config.containment, logger);
  const proxy = new ProxyTrust(config.trustedProxies, config.tls !== undefined);
  const registry = new SessionRegistry(config, logger, audit, actions, recordings, containment, (seconds) =>
    metrics?.spawned(seconds),
  );
  // Set below, once the connections exist: an ended link closes the streams opened with it (4003).
  let closeShareStreams: (shareId: string, reason: string) => void = () => undefined;
  const shares = new ShareStore(config.shares, (share, end) => {
    audit.record('share-ended', { who: null, from: undefined, session: share.session, share: share.id, end });
    closeShareStreams(share.id, end === 'revoked' ? 'share link revoked' : 'share link expired');
  });
  const context: GatewayContext = {
    config,
    logger,
    audit,
    actions,
    recordings,
    containment,
    proxy,
    metrics,
    registry: (live.registry = registry),
    shares,
    authenticator: new Authenticator(
      new TokenStore(config.tokens),
      new LoginStore(config.limits.loginTtlMs),
      shares,
      config.auth.proxy === undefined ? undefined : new ProxyAuthenticator(config.auth.proxy, proxy),
    ),
    policy: new OriginPolicy({
      bindHost: config.host,
      allowedHosts: config.allowedHosts,
      allowedOrigins: config.allowedOrigins,
      tls: config.tls !== undefined,
    }),
    authFailures: new FailureLimiter(config.limits.loginFailuresPerMinute),
    closing: false,
    fleet: undefined,
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
    ...messageClasses(app),
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
  live.connections = connections;
  context.revokeLogin = (loginId) => connections.revokeLogin(loginId);
  closeShareStreams = (shareId, reason) => connections.endShare(shareId, reason);
  server.on('upgrade', upgradeHandler(context, wss, connections));
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  /** Fleet mode: loaded only now, so that a gateway without `fleet` never loads the database driver. */
  const startFleet = async (fleetConfig: NonNullable<GatewayConfig['fleet']>): Promise<void> => {
    const { createFleet } = await import('./fleet/fleet.js');
    const fleet = await createFleet(fleetConfig, {
      logger,
      logins: context.authenticator.logins,
      loginTtlMs: config.limits.loginTtlMs,
      revokeLogin: (loginId) => connections.revokeLogin(loginId),
      clientAddress: (request) => context.proxy.clientAddress(request),
      basePath: config.basePath,
    });
    context.registry.observe({
      created: (session) => fleet.sessionCreated(session),
      changed: (session) => fleet.sessionChanged(session),
      removed: (session) => fleet.sessionRemoved(session),
    });
    context.authenticator.remoteLogins = (loginId) => fleet.resolveLogin(loginId);
    context.fleet = fleet;
  };

  let closing: Promise<void> | undefined;
  const scheme = config.tls === undefined ? 'http' : 'https';

  return {
    async listen() {
      // The directory exists and retention has run before the first session can be recorded.
      await recordings.open();
      const swept = await containment.open();
      if (swept.length > 0) logger.info('removed the cgroups of gateways that had died', { cgroups: swept });
      const scrapeAt = config.metrics.listen;
      if (metricsListener !== undefined && scrapeAt !== undefined) {
        await metricsListener.listen(scrapeAt.host, scrapeAt.port);
      }
      if (config.fleet !== undefined) await startFleet(config.fleet);
      const bound = await new Promise<{ host: string; port: number; url: string }>((resolve, reject) => {
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
      if (context.fleet !== undefined) {
        const host = reachableHost(bound.host);
        if (config.fleet?.url === undefined && host === undefined) {
          throw new Error('fleet.url is required when the gateway listens on a wildcard address');
        }
        await context.fleet.join(`${scheme}://${host ?? ''}:${bound.port}`);
      }
      return bound;
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
        shares.close();
        await containment.close();
        await metricsListener?.close();
        metrics?.close();
        await recordings.close();
        await context.fleet?.close();
        await audit.close();
      })();
      return closing;
    },
  };
}
