// What the HTTP routes and the WebSocket layer share: built once by createGateway().
import type { Authenticator } from './auth/authenticate.js';
import type { OriginPolicy } from './auth/origin.js';
import type { FailureLimiter } from './auth/rate-limit.js';
import type { GatewayConfig } from './config/load.js';
import type { Containment } from './containment/index.js';
import type { Audit } from './log/audit.js';
import type { Logger } from './log/logger.js';
import type { RecordingStore } from './recording/store.js';
import type { SessionActions } from './sessions/actions.js';
import type { SessionRegistry } from './sessions/registry.js';

export interface GatewayContext {
  config: GatewayConfig;
  /** What keeps sessions' processes from outliving them; its status is reported by /healthz. */
  containment: Pick<Containment, 'status'>;
  registry: SessionRegistry;
  /** Every action on a session: authorized, audited, done. */
  actions: SessionActions;
  authenticator: Authenticator;
  policy: OriginPolicy;
  /** Failed logins and bearer authentications per client address (limits.loginFailuresPerMinute). */
  authFailures: FailureLimiter;
  logger: Logger;
  audit: Audit;
  /** Recorded sessions' files: listing, download, deletion, retention. */
  recordings: RecordingStore;
  /** Set once shutdown begins: new requests get SHUTTING_DOWN. */
  closing: boolean;
  /** Closes the WebSocket connections opened with a login that was logged out. */
  revokeLogin(loginId: string): void;
}
