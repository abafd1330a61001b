// What the HTTP routes and the WebSocket layer share: built once by createGateway().
import type { Authenticator } from './auth/authenticate.js';
import type { OriginPolicy } from './auth/origin.js';
import type { FailureLimiter } from './auth/rate-limit.js';
import type { GatewayConfig } from './config/load.js';
import type { Containment } from './containment/index.js';
import type { Fleet } from './fleet/types.js';
import type { Audit } from './log/audit.js';
import type { Logger } from './log/logger.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { ProxyTrust } from './proxy/trust.js';
import type { RecordingStore } from './recording/store.js';
import type { SessionActions } from './sessions/actions.js';
import type { SessionRegistry } from './sessions/registry.js';
import type { ShareStore } from './shares/store.js';

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
  /** What requests say about their client, believed from trusted proxies only. */
  proxy: ProxyTrust;
  /** Prometheus metrics; undefined when metrics.enabled is false. */
  metrics: GatewayMetrics | undefined;
  audit: Audit;
  /** Recorded sessions' files: listing, download, deletion, retention. */
  recordings: RecordingStore;
  /** Share links (docs/sharing.md), in memory. */
  shares: ShareStore;
  /** Set once shutdown begins: new requests get SHUTTING_DOWN. */
  closing: boolean;
  /** Fleet mode (docs/fleet.md), once joined; undefined without a `fleet` section. */
  fleet: Fleet | undefined;
  /** Closes the WebSocket connections opened with a login that was logged out. */
  revokeLogin(loginId: string): void;
}
