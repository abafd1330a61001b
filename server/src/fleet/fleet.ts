// Fleet mode assembled (docs/fleet.md): the pool and schema, the lease, the session directory, the
// fleet-wide logins and their revocation, the audit spool and the forwarder. Loaded only when a
// `fleet` section is configured (gateway.ts imports it dynamically), and with it the `pg` driver.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ErrorCode, ProtocolError, sessionInfoSchema } from '@shellgate/shared';
import type { NodeInfo, SessionInfo } from '@shellgate/shared';
import pg from 'pg';
import type { LoginStore } from '../auth/logins.js';
import { canSee } from '../auth/principal.js';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../log/logger.js';
import type { Session } from '../sessions/session.js';
import { AuditSpool } from './audit-spool.js';
import type { FleetConfig } from './config.js';
import { LeaseKeeper } from './lease.js';
import { LogoutListener } from './logout-listener.js';
import { Forwarder } from './proxy.js';
import { readFleetSecrets } from './secrets.js';
import { SessionDirectory } from './session-directory.js';
import { loginHash, NodeSigner } from './signature.js';
import { FleetStore } from './store.js';
import { forwardedLoginId } from './types.js';
import type { Fleet, Location } from './types.js';

/** Connections each node keeps to the database at most (the LISTEN connection is one more). */
const POOL_SIZE = 8;
/** A query that cannot get a connection within this fails (the node goes on serving its own). */
const CONNECT_TIMEOUT_MS = 3_000;
/**
 * A session creation or a login waits at most this for its row before answering anyway (the
 * database may be away: the node keeps serving), as does shutdown for the audit spool.
 */
const WRITE_WAIT_MS = 2_000;

/** Waits for `work`, but no longer than `ms`. */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
/** Login ids this node has seen (hash → id), so that a logout notification finds its streams. */
const MAX_KNOWN_LOGINS = 10_000;

export interface FleetDependencies {
  logger: Logger;
  logins: LoginStore;
  loginTtlMs: number;
  /** Closes the streams opened with a login id (this node's connections). */
  revokeLogin(loginId: string): void;
  /** The end client's address (through trusted proxies: proxy/trust.ts), signed on to the owner. */
  clientAddress(request: IncomingMessage): string | undefined;
  /** This node's `basePath`, which requests it forwards to an owner are stripped of. */
  basePath: string;
}

export async function createFleet(fleet: FleetConfig, deps: FleetDependencies): Promise<Fleet> {
  const { logger } = deps;
  const { database, secret } = await readFleetSecrets(fleet);
  const pool = new pg.Pool({
    connectionString: database,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its connection (a database restart) must not crash the gateway.
  pool.on('error', (error) => logger.warn('fleet database connection lost', { error: error.message }));
  const store = new FleetStore(pool);
  try {
    await store.migrate();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const node = fleet.node;
  const bootId = randomBytes(16).toString('base64url');
  const signer = new NodeSigner(secret, node);
  const directory = new SessionDirectory(store, logger, node);
  const spool = new AuditSpool(store, logger, node);
  const forwarder = new Forwarder(signer, logger, (request) => deps.clientAddress(request), deps.basePath);
  const known = new Map<string, string>();
  const remember = (loginId: string): string => {
    const hash = loginHash(loginId);
    if (!known.has(hash) && known.size >= MAX_KNOWN_LOGINS) {
      const oldest = known.keys().next();
      if (oldest.done !== true) known.delete(oldest.value);
    }
    known.set(hash, loginId);
    return hash;
  };
  const revoke = (hash: string): void => {
    const loginId = known.get(hash);
    if (loginId !== undefined) {
      known.delete(hash);
      deps.logins.delete(loginId);
      deps.revokeLogin(loginId);
    }
    deps.revokeLogin(forwardedLoginId(hash));
  };
  const listener = new LogoutListener(pg.Client, database, logger, revoke, () => {
    // Logouts announced while this node was not listening: drop the logins that are gone.
    const hashes = [...known.keys()];
    store.validLogins(hashes).then(
      (valid) => hashes.filter((hash) => !valid.has(hash)).forEach(revoke),
      (error: unknown) => logger.warn('fleet login re-check failed', { error }),
    );
  });
  const localSessions = new Map<string, Session>();
  const lease = new LeaseKeeper(store, logger, node, bootId, fleet.leaseSeconds, (rejoined) => {
    if (rejoined) for (const session of localSessions.values()) directory.put(session);
    void directory.flush();
    void spool.flush();
  });
  try {
    await listener.start();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }

  const nodeInfo = (row: Awaited<ReturnType<FleetStore['nodes']>>[number]): NodeInfo => ({
    name: row.name,
    url: row.url,
    state: row.lost ? 'lost' : 'up',
    self: row.name === node,
    joinedAt: row.joinedAt.toISOString(),
    leaseExpiresAt: row.leaseExpiresAt.toISOString(),
  });
  const unavailable = (error: unknown): ProtocolError => {
    logger.warn('fleet database query failed', { error });
    return new ProtocolError(ErrorCode.FleetUnavailable, 'the fleet database cannot be reached');
  };

  return {
    node,
    audit(event, record) {
      spool.add(event, record);
    },
    async resolveLogin(loginId) {
      let found;
      try {
        found = await store.login(loginHash(loginId));
      } catch (error) {
        logger.warn('fleet login lookup failed', { error });
        return undefined;
      }
      if (found === undefined) return undefined;
      remember(loginId);
      deps.logins.adopt(loginId, found.principal, Math.min(found.leftMs, deps.loginTtlMs));
      return found.principal;
    },
    async loginCreated(loginId, principal) {
      const hash = remember(loginId);
      const written = store
        .putLogin(hash, principal, deps.loginTtlMs)
        .catch((error: unknown) =>
          logger.warn('fleet login write failed: valid on this node only', { error }),
        );
      await bounded(written, WRITE_WAIT_MS);
    },
    async loggedOut(loginId) {
      const hash = remember(loginId);
      try {
        await store.logout(hash);
      } catch (error) {
        logger.warn('fleet logout write failed: revoked on this node only', { error });
      }
    },
    async sessionCreated(session) {
      localSessions.set(session.id, session);
      directory.put(session);
      await bounded(directory.flush(), WRITE_WAIT_MS);
    },
    sessionChanged(session) {
      if (localSessions.has(session.id)) directory.put(session);
    },
    sessionRemoved(session) {
      if (localSessions.delete(session.id)) directory.delete(session.id);
    },
    async remoteSessions(principal) {
      let rows;
      try {
        rows = await store.remoteSessions(node);
      } catch (error) {
        throw unavailable(error);
      }
      const sessions: SessionInfo[] = [];
      for (const row of rows) {
        if (!canSee(principal, { owner: row.owner, session: row.id })) continue;
        const parsed = sessionInfoSchema.safeParse(row.info);
        if (!parsed.success) continue;
        const info = { ...parsed.data, node: row.node };
        // A lost node's last word on a session that had not exited is no longer true.
        if (row.lost && info.state !== 'exited') info.state = 'lost';
        sessions.push(info);
      }
      return sessions;
    },
    async nodes() {
      try {
        return (await store.nodes()).map(nodeInfo);
      } catch (error) {
        throw unavailable(error);
      }
    },
    async locate(principal: Principal, id: string): Promise<Location> {
      let found;
      try {
        found = await store.locate(id);
      } catch (error) {
        throw unavailable(error);
      }
      if (
        found === undefined ||
        found.nodeName === node ||
        !canSee(principal, { owner: found.owner, session: id })
      )
        return { kind: 'unknown' };
      if (found.node === undefined || found.node.lost) return { kind: 'lost', node: found.nodeName };
      return { kind: 'remote', node: found.node.name, url: found.node.url };
    },
    async nodeUrl(name) {
      let row;
      try {
        row = await store.node(name);
      } catch (error) {
        throw unavailable(error);
      }
      if (row === undefined)
        throw new ProtocolError(ErrorCode.NodeNotFound, `no fleet node named ${JSON.stringify(name)}`);
      if (row.lost)
        throw new ProtocolError(
          ErrorCode.NodeLost,
          `fleet node ${JSON.stringify(name)} is lost (its lease lapsed)`,
        );
      return row.url;
    },
    forward(request, response, url, credential, body) {
      return forwarder.forward(request, response, url, credential, body);
    },
    forwardUpgrade(request, socket, head, url, credential) {
      forwarder.forwardUpgrade(request, socket, head, url, credential);
    },
    verify(method, path, body, request) {
      return signer.verify({ method, path, body }, request.headers).principal;
    },
    async join(boundUrl) {
      await lease.join(fleet.url ?? boundUrl);
    },
    async close() {
      forwarder.close();
      directory.close();
      await listener.close();
      await lease.leave().catch((error: unknown) => logger.warn('fleet leave failed', { error }));
      await bounded(spool.flush(), WRITE_WAIT_MS);
      spool.close();
      if (spool.size > 0)
        logger.error('fleet audit records not written at shutdown', { records: spool.size });
      await pool.end().catch(() => undefined);
    },
  };
}
