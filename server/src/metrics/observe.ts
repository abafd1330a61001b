// Metrics that follow from records the gateway writes anyway: refusals, closes and spawn failures
// are all audited (log/audit.ts), so counting them here needs no hook in the code that decides.
// Refusals are counted before the audit trail's per-address throttle leaves any out.
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import type { ErrorRequestHandler } from 'express';
import type { Audit } from '../log/audit.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { refusalReason } from './gateway-metrics.js';

/** `audit`, counting what its records say into `metrics` on the way. */
export function observedAudit(audit: Audit, metrics: GatewayMetrics): Audit {
  return {
    record(event, record) {
      switch (event) {
        case 'auth-refused':
          metrics.refused(typeof record.code === 'string' ? record.code : ErrorCode.InvalidRequest);
          break;
        case 'login-failed':
          metrics.refused(ErrorCode.Unauthorized);
          break;
        case 'detach':
          if (typeof record.code === 'number') metrics.closed(record.code);
          break;
        case 'spawn-failed':
          metrics.spawnFailed();
          break;
        default:
          break;
      }
      audit.record(event, record);
    },
    close: () => audit.close(),
  };
}

/**
 * HTTP requests refused for a limit or a rate (too many sessions, failed logins): answered by the
 * error handler, not audited as refusals, so counted as they pass by.
 */
export function limitRefusals(metrics: GatewayMetrics): ErrorRequestHandler {
  return (error: unknown, _request, _response, next) => {
    if (error instanceof ProtocolError) {
      const reason = refusalReason(error.code);
      if (reason === 'limits' || reason === 'rate') metrics.refused(error.code);
    }
    next(error);
  };
}
