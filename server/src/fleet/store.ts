// Every SQL statement fleet mode runs, in one place, on a `pg` pool. Times that decide anything
// (leases, login expiry) are computed on the database's clock — now() — so the nodes' clocks may
// disagree without a node being declared lost early or late.
import type { Pool, PoolClient } from 'pg';
import type { Principal } from '../auth/principal.js';

/** Serialises concurrent migrations of nodes starting together (pg_advisory_xact_lock key). */
const MIGRATION_LOCK = 0x5348_4c47; // "SHLG"

const SCHEMA = `
CREATE SCHEMA IF NOT EXISTS shellgate;
CREATE TABLE IF NOT EXISTS shellgate.nodes (
  name text PRIMARY KEY,
  url text NOT NULL,
  boot_id text NOT NULL,
  joined_at timestamptz NOT NULL DEFAULT now(),
  lease_expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS shellgate.sessions (
  id text PRIMARY KEY,
  node text NOT NULL,
  owner text NOT NULL,
  profile text NOT NULL,
  state text NOT NULL,
  exit_code integer,
  exit_signal text,
  info jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sessions_node ON shellgate.sessions (node);
CREATE TABLE IF NOT EXISTS shellgate.logins (
  id_hash text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL,
  scope text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS shellgate.audit (
  id uuid PRIMARY KEY,
  time timestamptz NOT NULL,
  node text NOT NULL,
  event text NOT NULL,
  who text,
  session text,
  record jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_time ON shellgate.audit (time);
`;

/** The channel a logout is announced on; the payload is the login id's SHA-256. */
export const LOGOUT_CHANNEL = 'shellgate_logout';

export interface NodeRow {
  name: string;
  url: string;
  joinedAt: Date;
  leaseExpiresAt: Date;
  /** The lease lapsed (on the database's clock). */
  lost: boolean;
}

export interface SessionRow {
  id: string;
  node: string;
  owner: string;
  profile: string;
  state: string;
  exitCode: number | null;
  exitSignal: string | null;
  info: unknown;
}

export interface AuditRow {
  id: string;
  time: Date;
  event: string;
  who: string | null;
  session: string | null;
  record: Record<string, unknown>;
}

interface RawNode {
  name: string;
  url: string;
  joined_at: Date;
  lease_expires_at: Date;
  lost: boolean;
}

const nodeRow = (row: RawNode): NodeRow => ({
  name: row.name,
  url: row.url,
  joinedAt: row.joined_at,
  leaseExpiresAt: row.lease_expires_at,
  lost: row.lost,
});

const NODE_COLUMNS = 'name, url, joined_at, lease_expires_at, lease_expires_at < now() AS lost';

export class FleetStore {
  constructor(readonly pool: Pool) {}

  async migrate(): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(SCHEMA);
    });
  }

  /** Joins (or rejoins, same name) with a fresh lease; forgets the sessions of its previous run. */
  async join(node: string, url: string, bootId: string, leaseSeconds: number): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query(
        `INSERT INTO shellgate.nodes (name, url, boot_id, joined_at, lease_expires_at)
         VALUES ($1, $2, $3, now(), now() + make_interval(secs => $4))
         ON CONFLICT (name) DO UPDATE SET url = $2, boot_id = $3, joined_at = now(),
           lease_expires_at = now() + make_interval(secs => $4)`,
        [node, url, bootId, leaseSeconds],
      );
      await client.query('DELETE FROM shellgate.sessions WHERE node = $1', [node]);
    });
  }

  /** Renews the lease; false when the row is not this run's any more (another run took the name). */
  async renew(node: string, bootId: string, leaseSeconds: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE shellgate.nodes SET lease_expires_at = now() + make_interval(secs => $3)
       WHERE name = $1 AND boot_id = $2`,
      [node, bootId, leaseSeconds],
    );
    return result.rowCount === 1;
  }

  /** Leaves the fleet on an orderly shutdown: the lease ends now. */
  async leave(node: string, bootId: string): Promise<void> {
    await this.pool.query(
      'UPDATE shellgate.nodes SET lease_expires_at = now() WHERE name = $1 AND boot_id = $2',
      [node, bootId],
    );
  }

  async nodes(): Promise<NodeRow[]> {
    const result = await this.pool.query<RawNode>(
      `SELECT ${NODE_COLUMNS} FROM shellgate.nodes ORDER BY name`,
    );
    return result.rows.map(nodeRow);
  }

  async node(name: string): Promise<NodeRow | undefined> {
    const result = await this.pool.query<RawNode>(
      `SELECT ${NODE_COLUMNS} FROM shellgate.nodes WHERE name = $1`,
      [name],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : nodeRow(row);
  }

  async putSessions(rows: readonly SessionRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO shellgate.sessions (id, node, owner, profile, state, exit_code, exit_signal, info, updated_at)
       SELECT r.id, r.node, r.owner, r.profile, r.state, r.exit_code, r.exit_signal, r.info, now()
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, node text, owner text, profile text, state text,
         exit_code integer, exit_signal text, info jsonb)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, exit_code = EXCLUDED.exit_code,
         exit_signal = EXCLUDED.exit_signal, info = EXCLUDED.info, updated_at = now()`,
      [
        JSON.stringify(
          rows.map((row) => ({
            id: row.id,
            node: row.node,
            owner: row.owner,
            profile: row.profile,
            state: row.state,
            exit_code: row.exitCode,
            exit_signal: row.exitSignal,
            info: row.info,
          })),
        ),
      ],
    );
  }

  async deleteSessions(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query('DELETE FROM shellgate.sessions WHERE id = ANY($1::text[])', [ids]);
  }

  /** Sessions of other nodes, with whether their node's lease lapsed. */
  async remoteSessions(self: string): Promise<Array<SessionRow & { lost: boolean }>> {
    const result = await this.pool.query<{
      id: string;
      node: string;
      owner: string;
      profile: string;
      state: string;
      exit_code: number | null;
      exit_signal: string | null;
      info: unknown;
      lost: boolean;
    }>(
      `SELECT s.id, s.node, s.owner, s.profile, s.state, s.exit_code, s.exit_signal, s.info,
         (n.lease_expires_at IS NULL OR n.lease_expires_at < now()) AS lost
       FROM shellgate.sessions s LEFT JOIN shellgate.nodes n ON n.name = s.node
       WHERE s.node <> $1 ORDER BY s.info->>'startedAt'`,
      [self],
    );
    return result.rows.map((row) => ({
      id: row.id,
      node: row.node,
      owner: row.owner,
      profile: row.profile,
      state: row.state,
      exitCode: row.exit_code,
      exitSignal: row.exit_signal,
      info: row.info,
      lost: row.lost,
    }));
  }

  /** Where session `id` runs: its owner's name and its node (undefined when unknown). */
  async locate(
    id: string,
  ): Promise<{ owner: string; node: NodeRow | undefined; nodeName: string } | undefined> {
    const result = await this.pool.query<{ owner: string; node_name: string } & Partial<RawNode>>(
      `SELECT s.owner, s.node AS node_name, n.name, n.url, n.joined_at, n.lease_expires_at,
         n.lease_expires_at < now() AS lost
       FROM shellgate.sessions s LEFT JOIN shellgate.nodes n ON n.name = s.node WHERE s.id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (row === undefined) return undefined;
    const node =
      row.name === undefined || row.name === null
        ? undefined
        : nodeRow({
            name: row.name,
            url: row.url ?? '',
            joined_at: row.joined_at ?? new Date(0),
            lease_expires_at: row.lease_expires_at ?? new Date(0),
            lost: row.lost ?? true,
          });
    return { owner: row.owner, node, nodeName: row.node_name };
  }

  async putLogin(idHash: string, principal: Principal, ttlMs: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO shellgate.logins (id_hash, name, role, scope, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) ON CONFLICT (id_hash) DO NOTHING`,
      [idHash, principal.name, principal.role, principal.scope, ttlMs / 1000],
    );
  }

  /** A login still valid, with the milliseconds it has left (on the database's clock). */
  async login(idHash: string): Promise<{ principal: Principal; leftMs: number } | undefined> {
    const result = await this.pool.query<{ name: string; role: string; scope: string; left_ms: number }>(
      `SELECT name, role, scope, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS left_ms
       FROM shellgate.logins WHERE id_hash = $1 AND expires_at > now()`,
      [idHash],
    );
    const row = result.rows[0];
    if (row === undefined) return undefined;
    const role = row.role === 'operator' || row.role === 'viewer' ? row.role : undefined;
    const scope = row.scope === 'own' || row.scope === 'all' ? row.scope : undefined;
    if (role === undefined || scope === undefined) return undefined;
    return { principal: { name: row.name, role, scope }, leftMs: row.left_ms };
  }

  /** Deletes the login and tells every node (LISTEN shellgate_logout), in one transaction. */
  async logout(idHash: string): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query('DELETE FROM shellgate.logins WHERE id_hash = $1', [idHash]);
      await client.query('SELECT pg_notify($1, $2)', [LOGOUT_CHANNEL, idHash]);
    });
  }

  /** Which of these login hashes are still valid (the rest were logged out or expired). */
  async validLogins(idHashes: readonly string[]): Promise<Set<string>> {
    const result = await this.pool.query<{ id_hash: string }>(
      'SELECT id_hash FROM shellgate.logins WHERE id_hash = ANY($1::text[]) AND expires_at > now()',
      [idHashes],
    );
    return new Set(result.rows.map((row) => row.id_hash));
  }

  /** Writes audit records; a record already there (same id) is skipped, so a retry never doubles. */
  async putAudit(node: string, rows: readonly AuditRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO shellgate.audit (id, time, node, event, who, session, record)
       SELECT r.id, r.time, $2, r.event, r.who, r.session, r.record
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, time timestamptz, event text, who text,
         session text, record jsonb)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(rows.map((row) => ({ ...row, time: row.time.toISOString() }))), node],
    );
  }

  async #transaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    let failure: Error | undefined;
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      // A client whose transaction failed may have lost its connection: the pool drops it.
      client.release(failure);
    }
  }
}
