// All sessions of the gateway: creation within the limits, lookup by what a principal may see,
// removal, and terminating everything at shutdown.
import { ErrorCode, ProtocolError, TERMINAL_LIMITS } from '@shellgate/shared';
import { canSee } from '../auth/principal.js';
import type { Principal } from '../auth/principal.js';
import type { GatewayConfig } from '../config/load.js';
import type { Containment } from '../containment/index.js';
import type { ProfileConfig } from '../config/schema.js';
import type { Audit } from '../log/audit.js';
import type { Logger } from '../log/logger.js';
import type { SessionRecorder } from '../recording/recorder.js';
import type { RecordingStore } from '../recording/store.js';
import type { SessionActions } from './actions.js';
import { childEnvironment } from './environment.js';
import { newSessionId } from './ids.js';
import { Session } from './session.js';
import type { SessionContext, TerminateOutcome } from './session.js';

export interface CreateRequest {
  profile: string;
  args: readonly string[] | undefined;
  principal: Principal;
  from: string | undefined;
  /** Initial terminal size of a PTY session (defaults 80×24). */
  cols?: number | undefined;
  rows?: number | undefined;
}

/** Who follows the sessions' lifecycle besides the registry (the fleet's session directory). */
export interface SessionObserver {
  /** A session was created; creation's answer waits for this (it bounds its own wait). */
  created(session: Session): Promise<void>;
  changed(session: Session): void;
  removed(session: Session): void;
}

export class SessionRegistry {
  #observer: SessionObserver | undefined;
  readonly #sessions = new Map<string, Session>();
  /** Spawns in flight, counted against the limits so that a burst cannot overshoot them. */
  #pending = 0;
  readonly #pendingByOwner = new Map<string, number>();
  /** Sessions held per owner: the per-token limit is checked on every create. */
  readonly #heldByOwner = new Map<string, number>();
  #closing = false;
  /** Creations in flight: shutdown waits for them, and they terminate what they started. */
  readonly #creating = new Set<Promise<unknown>>();
  /**
   * What every session is given of the gateway: one object for them all, each function told which
   * session it is for. Closures made per session in #create would keep its scope (the request, the
   * child's environment) for as long as the session lasts, about 1 KiB each.
   */
  readonly #sessionContext: SessionContext;

  constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
    private readonly audit: Audit,
    private readonly actions: SessionActions,
    /** Where recorded profiles' sessions are recorded (docs/recording.md); none: nothing is. */
    private readonly recordings?: RecordingStore,
    /** What keeps sessions' processes from outliving them (docs/security.md); none: their groups. */
    private readonly containment?: Containment,
    /** Told how long each spawn took (metrics). */
    private readonly spawned?: (seconds: number) => void,
  ) {
    this.#sessionContext = {
      limits: this.config.limits,
      logger: this.logger,
      idle: (idle) => this.#terminateIdle(idle),
      exited: (exited, status) =>
        this.actions.exited(exited, status, {
          terminateStage: exited.info().terminateStage,
          outputBytes: exited.outputBytes,
        }),
      expire: (expired) => this.remove(expired),
      ...(containment === undefined ? {} : { containment: () => containment.enter() }),
      changed: (changed) => this.#observer?.changed(changed),
      recorder: (started) => this.#recorderFor(started),
    };
  }

  /** The recorder of a session that has just started, or null when its profile does not record. */
  #recorderFor(session: Session): SessionRecorder | null {
    if (this.recordings === undefined) return null;
    const profile = this.profile(session.profile);
    return this.recordings.recorderFor(
      {
        session: session.id,
        profile: session.profile,
        owner: session.owner.name,
        mode: session.mode,
        argv: session.argv,
        startedAt: session.startedAt,
        size: session.initialSize,
        termType:
          session.mode === 'pty'
            ? (childEnvironment(this.config.env, profile.env).TERM ?? 'xterm-256color')
            : undefined,
      },
      profile.record,
    );
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Every session, whoever owns it (metrics). */
  all(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  observe(observer: SessionObserver): void {
    this.#observer = observer;
  }

  /** Whether a session with this id runs here (whoever may see it). */
  has(id: string): boolean {
    return this.#sessions.has(id);
  }

  /** Sessions `principal` may see, oldest first. */
  list(principal: Principal): Session[] {
    return [...this.#sessions.values()].filter((session) =>
      canSee(principal, { owner: session.owner.name, session: session.id }),
    );
  }

  /** The session, or SESSION_NOT_FOUND — also for one that exists but is not the principal's. */
  get(principal: Principal, id: string): Session {
    const session = this.#sessions.get(id);
    if (session === undefined || !canSee(principal, { owner: session.owner.name, session: session.id })) {
      throw new ProtocolError(ErrorCode.SessionNotFound, 'no such session');
    }
    return session;
  }

  profile(name: string): ProfileConfig {
    const profile = Object.hasOwn(this.config.profiles, name) ? this.config.profiles[name] : undefined;
    if (profile === undefined) {
      throw new ProtocolError(
        ErrorCode.ProfileNotFound,
        `no profile named ${JSON.stringify(name.slice(0, 64))}`,
      );
    }
    return profile;
  }

  create(request: CreateRequest): Promise<Session> {
    const creating = this.#create(request);
    this.#creating.add(creating);
    const forget = (): void => void this.#creating.delete(creating);
    creating.then(forget, forget);
    return creating;
  }

  async #create(request: CreateRequest): Promise<Session> {
    if (this.#closing) throw new ProtocolError(ErrorCode.ShuttingDown, 'the gateway is shutting down');
    const profile = this.profile(request.profile);
    const args = request.args ?? [];
    if (args.length > 0 && !profile.allowArgs) {
      throw new ProtocolError(
        ErrorCode.ArgsNotAllowed,
        `profile "${request.profile}" does not accept arguments`,
      );
    }
    const owner = request.principal.name;
    this.#makeRoom(owner);
    this.#pending += 1;
    this.#pendingByOwner.set(owner, (this.#pendingByOwner.get(owner) ?? 0) + 1);
    const argv = [...profile.argv, ...args];
    const env = childEnvironment(this.config.env, profile.env);
    // Where the process starts: the profile's directory, or the gateway's own.
    const cwd = profile.cwd ?? process.cwd();
    const spawnStarted = performance.now();
    try {
      const session = await Session.start(
        {
          id: newSessionId(),
          profile: request.profile,
          argv,
          mode: profile.mode,
          screen: profile.screen,
          cwd: profile.cwd,
          env,
          owner: request.principal,
          from: request.from,
          size: {
            cols: request.cols ?? TERMINAL_LIMITS.defaultCols,
            rows: request.rows ?? TERMINAL_LIMITS.defaultRows,
          },
          node: this.config.fleet?.node,
        },
        this.#sessionContext,
      );
      if (this.#closing) {
        // Shutdown began while this process was starting: it must not outlive the gateway.
        await session.terminate(this.config.limits.terminateGracePeriodMs);
        session.remove();
        throw new ProtocolError(ErrorCode.ShuttingDown, 'the gateway is shutting down');
      }
      this.spawned?.((performance.now() - spawnStarted) / 1000);
      this.#sessions.set(session.id, session);
      this.#heldByOwner.set(owner, (this.#heldByOwner.get(owner) ?? 0) + 1);
      this.audit.record('spawn', {
        who: owner,
        from: request.from,
        session: session.id,
        profile: request.profile,
        argv,
        cwd,
        pid: session.info().pid,
      });
      await this.#observer?.created(session);
      return session;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.audit.record('spawn-failed', {
        who: owner,
        from: request.from,
        profile: request.profile,
        argv,
        cwd,
        error: message,
      });
      throw error;
    } finally {
      this.#pending -= 1;
      const left = (this.#pendingByOwner.get(owner) ?? 1) - 1;
      if (left === 0) this.#pendingByOwner.delete(owner);
      else this.#pendingByOwner.set(owner, left);
    }
  }

  /** Removes a session (closing its clients with 4000). Running sessions must be terminated first. */
  remove(session: Session): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#sessions.delete(session.id);
    const held = (this.#heldByOwner.get(session.owner.name) ?? 1) - 1;
    if (held === 0) this.#heldByOwner.delete(session.owner.name);
    else this.#heldByOwner.set(session.owner.name, held);
    session.remove();
    this.#observer?.removed(session);
    this.audit.record('remove', { who: session.owner.name, from: undefined, session: session.id });
  }

  /** Terminates every session with escalation (shutdown); resolves when all have exited. */
  async terminateAll(gracePeriodMs: number): Promise<Map<string, TerminateOutcome>> {
    this.#closing = true;
    await Promise.allSettled([...this.#creating]);
    const results = new Map<string, TerminateOutcome>();
    await Promise.all(
      [...this.#sessions.values()].map(async (session) => {
        results.set(session.id, await session.terminate(gracePeriodMs));
      }),
    );
    return results;
  }

  /** Closes every client with `code` and forgets every session (after terminateAll). */
  closeAll(code: number, reason: string): void {
    for (const session of this.#sessions.values()) {
      session.remove(code, reason);
      this.#observer?.removed(session);
    }
    this.#sessions.clear();
    this.#heldByOwner.clear();
  }

  #terminateIdle(session: Session): void {
    const grace = this.config.limits.terminateGracePeriodMs;
    this.actions
      .terminate({ via: 'gateway', reason: 'idle timeout' }, session, grace)
      .catch((error: unknown) => this.logger.error('idle terminate failed', { session: session.id, error }));
  }

  /**
   * Enforces maxSessions and maxSessionsPerToken. Exited sessions count (they hold memory) but make
   * room: the oldest exited one goes first rather than the request being refused.
   */
  #makeRoom(owner: string): void {
    const { maxSessions, maxSessionsPerToken } = this.config.limits;
    while (
      (this.#heldByOwner.get(owner) ?? 0) + (this.#pendingByOwner.get(owner) ?? 0) >=
      maxSessionsPerToken
    ) {
      const exited = this.#oldestExited((session) => session.owner.name === owner);
      if (exited === undefined) {
        throw new ProtocolError(
          ErrorCode.SessionLimit,
          `this token already holds ${maxSessionsPerToken} sessions (limits.maxSessionsPerToken)`,
        );
      }
      this.remove(exited);
    }
    while (this.#sessions.size + this.#pending >= maxSessions) {
      const exited = this.#oldestExited(() => true);
      if (exited === undefined) {
        throw new ProtocolError(
          ErrorCode.SessionLimit,
          `the gateway already holds ${maxSessions} sessions (limits.maxSessions)`,
        );
      }
      this.remove(exited);
    }
  }

  /** The oldest exited session that `matches` (the map keeps creation order); none: undefined. */
  #oldestExited(matches: (session: Session) => boolean): Session | undefined {
    for (const session of this.#sessions.values()) {
      if (session.state === 'exited' && matches(session)) return session;
    }
    return undefined;
  }
}
