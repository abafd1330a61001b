// What the rest of the gateway sees of fleet mode (docs/fleet.md). Only this interface is imported
// statically; the implementation — and with it the PostgreSQL driver — is loaded when a `fleet`
// section is configured, so a gateway without one loads no database code at all.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NodeInfo, SessionInfo } from '@shellgate/shared';
import type { Request, Response } from 'express';
import type { Credential } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import type { AuditEvent, AuditRecord } from '../log/audit.js';
import type { Session } from '../sessions/session.js';
import type { SignedPrincipal } from './signature.js';

/** Where a session that is not on this node is, as far as the directory knows. */
export type Location =
  { kind: 'remote'; node: string; url: string } | { kind: 'lost'; node: string } | { kind: 'unknown' };

export interface Fleet {
  /** This node's name. */
  readonly node: string;
  /** Copies an audit record to the fleet's table (spooled while the database is away). */
  audit(event: AuditEvent, record: AuditRecord): void;
  /** A login another node created (or undefined): checked in the database, then known locally. */
  resolveLogin(loginId: string): Promise<Principal | undefined>;
  /**
   * Records a login this node created, so that every node accepts its cookie. Resolves once it is
   * written (the login's answer waits, so the cookie works everywhere at once) or after a bound.
   */
  loginCreated(loginId: string, principal: Principal): Promise<void>;
  /** Deletes a login fleet-wide and closes, on every node, the streams opened with it. */
  loggedOut(loginId: string): Promise<void>;
  /** Session directory: written on creation (awaited, bounded), state changes and removal. */
  sessionCreated(session: Session): Promise<void>;
  sessionChanged(session: Session): void;
  sessionRemoved(session: Session): void;
  /** The other nodes' sessions `principal` may see (`lost` where their node's lease lapsed). */
  remoteSessions(principal: Principal): Promise<SessionInfo[]>;
  nodes(): Promise<NodeInfo[]>;
  /** Where session `id` (not on this node) runs, if `principal` may see it. */
  locate(principal: Principal, id: string): Promise<Location>;
  /** Where node `name` is reached; NODE_NOT_FOUND / NODE_LOST otherwise. */
  nodeUrl(name: string): Promise<string>;
  /** Forwards an HTTP API request to `url` (the owner), the principal signed, and relays the answer. */
  forward(
    request: Request,
    response: Response,
    url: string,
    credential: Credential,
    body: unknown,
  ): Promise<void>;
  /** Forwards a stream upgrade to the owner at `url`; the owner's refusal or 101 reaches the client. */
  forwardUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: string,
    credential: Credential,
  ): void;
  /** Checks a request on the internal path; the signed principal, or a SignatureError. */
  verify(method: string, path: string, body: Buffer, request: IncomingMessage): SignedPrincipal;
  /** Joins the fleet once the gateway listens at `boundUrl` (used unless `fleet.url` is set). */
  join(boundUrl: string): Promise<void>;
  /** Leaves the fleet: ends the lease, flushes the audit spool (bounded), closes the pool. */
  close(): Promise<void>;
}

/** The login id a stream forwarded by another node is filed under on the owner (its hash, tagged). */
export const forwardedLoginId = (idHash: string): string => `fleet:${idHash}`;

/** The internal path prefix: what an entry node calls on the owner (docs/fleet.md). */
export const INTERNAL_PREFIX = '/fleet/v1';
