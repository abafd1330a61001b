// Every action on a session passes through here, whichever door it came in by (an HTTP request, a
// stream message, the gateway's own idle timer): check that the actor may, write the audit record,
// act. The policy table is keyed by the action type, so an action added later cannot be dispatched
// without saying what it requires and what is audited.
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import type { ClientRole, ExitStatus, SignalName } from '@shellgate/shared';
import { canControl } from '../auth/principal.js';
import type { Principal } from '../auth/principal.js';
import type { Audit, AuditEvent } from '../log/audit.js';
import type { Attachment } from './attachment.js';
import type { Session, TerminateOutcome } from './session.js';

/** Who acts, and through which door: the refusal names what the actor lacks there. */
export type Actor =
  /** A stream client: it may act as far as the role it attached with. */
  | { via: 'stream'; principal: Principal; from: string | undefined; role: ClientRole }
  /** An HTTP request: it may act as far as its token may on this session. */
  | { via: 'http'; principal: Principal; from: string | undefined }
  /** The gateway itself (an idle timeout, a shutdown). */
  | { via: 'gateway'; reason: string };

/** Actions that act at once (or throw the reason they cannot). */
export type ImmediateAction =
  // `from`: the stream client that typed or resized, for the window-size policy (window-size.ts).
  | { type: 'write'; data: Uint8Array; from?: Attachment }
  | { type: 'close-stdin' }
  | { type: 'signal'; signal: SignalName }
  | { type: 'resize'; cols: number; rows: number; from?: Attachment };

type ActionType = ImmediateAction['type'] | 'terminate';

interface Policy {
  /** Completes "may not … the session", in refusals. */
  verb: string;
  /** The audit record written when the action is allowed; null: not audited (keystrokes). */
  audit: AuditEvent | null;
}

const POLICIES: Readonly<Record<ActionType, Policy>> = {
  write: { verb: 'write to', audit: null },
  resize: { verb: 'resize', audit: null },
  'close-stdin': { verb: 'close the stdin of', audit: 'close-stdin' },
  signal: { verb: 'signal', audit: 'signal' },
  terminate: { verb: 'terminate', audit: 'terminate' },
};

export class SessionActions {
  constructor(private readonly audit: Audit) {}

  /** Writes, closes stdin, signals or resizes: authorized, audited, done. */
  perform(actor: Actor, session: Session, action: ImmediateAction): void {
    const fields = action.type === 'signal' ? { signal: action.signal } : {};
    this.#authorize(actor, session, action.type, fields);
    switch (action.type) {
      case 'write':
        session.write(action.data, action.from);
        return;
      case 'close-stdin':
        session.closeInput();
        return;
      case 'signal':
        // The recording's marker names who signalled.
        session.signal(action.signal, actor.via === 'gateway' ? 'the gateway' : actor.principal.name);
        return;
      case 'resize':
        session.resize(action.cols, action.rows, action.from);
        return;
      default: {
        const check: never = action;
        return check;
      }
    }
  }

  /** Terminates with escalation; resolves with the exit status once the last output was relayed. */
  terminate(actor: Actor, session: Session, gracePeriodMs: number): Promise<TerminateOutcome> {
    this.#authorize(actor, session, 'terminate', { gracePeriodMs });
    return session.terminate(gracePeriodMs);
  }

  /** A client attached (audited; viewers and controllers alike). */
  attached(
    actor: Actor,
    session: Session,
    details: { role: ClientRole; offset: number | null; origin: string | null },
  ): void {
    this.#record('attach', actor, session, details);
  }

  /** A client went away (the close code says why). */
  detached(actor: Actor, session: Session, code: number): void {
    this.#record('detach', actor, session, { code });
  }

  /** A client stopped reading and was cut off (limits.maxClientBacklogBytes). */
  notReading(actor: Actor, session: Session, details: { backlog: number; limit: number }): void {
    this.#record('client-not-reading', actor, session, details);
  }

  /** The process exited (recorded for the session's owner and the address that started it). */
  exited(session: Session, status: ExitStatus, details: Record<string, unknown>): void {
    this.audit.record('exit', {
      who: session.owner.name,
      from: session.from,
      session: session.id,
      code: status.code,
      signal: status.signal,
      ...details,
    });
  }

  #authorize(actor: Actor, session: Session, type: ActionType, fields: Record<string, unknown>): void {
    const policy = POLICIES[type];
    const refusal = refusalOf(actor, session, policy.verb);
    if (refusal !== undefined) throw new ProtocolError(ErrorCode.Forbidden, refusal);
    if (policy.audit !== null) this.#record(policy.audit, actor, session, fields);
  }

  #record(event: AuditEvent, actor: Actor, session: Session, fields: Record<string, unknown>): void {
    if (actor.via === 'gateway') {
      this.audit.record(event, {
        who: null,
        from: undefined,
        session: session.id,
        ...fields,
        reason: actor.reason,
      });
    } else {
      this.audit.record(event, {
        who: actor.principal.name,
        from: actor.from,
        session: session.id,
        ...fields,
      });
    }
  }
}

/** Why the actor may not act on the session; undefined when it may. */
function refusalOf(actor: Actor, session: Session, verb: string): string | undefined {
  switch (actor.via) {
    case 'gateway':
      return undefined;
    case 'stream':
      return actor.role === 'control' ? undefined : `a "view" client may not ${verb} the session`;
    case 'http':
      return canControl(actor.principal, { owner: session.owner.name, session: session.id })
        ? undefined
        : `a ${actor.principal.role} token may not ${verb} sessions`;
    default: {
      const check: never = actor;
      return check;
    }
  }
}
