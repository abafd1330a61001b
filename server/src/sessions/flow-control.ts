// Flow control, as pure decisions: when a session's child is paused, which output the replay
// buffer must keep, and how far each client is sent ahead. No timers, no I/O: the session feeds in
// positions and applies what comes out, so every rule here is unit-tested synchronously.
//
//   offsets:  0 ……… floor ……………… sent ……………… replay end
//                    └ acked or skipped ┘└ in flight ┘└ not yet sent ┘
//
// Control clients hold the child back: it is paused while the slowest of them is more than a
// window behind (or the replay buffer is over budget because of the bytes they have not
// acknowledged). They hold it while any is attached, before the first one attaches (so a client
// attaching right after creating the session sees the start), and for limits.reconnectHoldMs after
// the last one left (so a dropped connection resumes without loss). Output they have not
// acknowledged is pinned in the replay buffer meanwhile. After that a session without control
// clients keeps running (like a detached tmux).
//
// Viewers never hold the child back: a viewer more than limits.viewerLagBytes behind stops
// receiving until it has acknowledged half of that, and a viewer whose next byte has left the
// replay buffer is moved on with a `gap`.
//
// A PTY session's screen tracker counts too: its worker must not fall a window behind.
//
// Once the process is gone, nothing is paused: what the kernel still buffers (at most one pipe or
// terminal buffer) is read, pinned bytes and all, so that the exit completes with every byte kept.

/** Where one client is in the stream (an Attachment). */
export interface ClientPosition {
  readonly role: 'control' | 'view';
  /** Offset just past the last byte sent to the client. */
  readonly sent: number;
  /** Everything before this offset is acknowledged or skipped. */
  readonly floor: number;
}

export interface FlowLimits {
  /** limits.flowControlWindowBytes */
  windowBytes: number;
  /** limits.viewerLagBytes */
  viewerLagBytes: number;
}

/** What the session knows once the replay buffer has evicted what the pin allows. */
export interface FlowInputs {
  replayEnd: number;
  /** Whether pinned bytes hold the replay buffer over its budget (read after pinning). */
  replayOverBudget: boolean;
  /** Bytes written to the screen tracker that it has not parsed yet (0 without one). */
  screenBacklog: number;
  /** The process has exited (its output may still be draining). */
  processGone: boolean;
}

export class FlowControl {
  /**
   * The slowest control client's floor, kept while no control client is attached (before the
   * first one, and during a reconnect hold).
   */
  #controlFloor = 0;
  #everControlled = false;
  #holdingForReconnect = false;
  /** Set by retainFrom: whether control clients (present, expected or returning) hold the child. */
  #heldByClients = true;
  #paused = false;

  constructor(private readonly limits: FlowLimits) {}

  get paused(): boolean {
    return this.#paused;
  }

  /** Whether the child waits for control clients now (attached, not yet attached, or returning). */
  get holding(): boolean {
    return !this.#everControlled || this.#holdingForReconnect;
  }

  /** A control client joined: the reconnect hold, if any, is over. */
  controlJoined(): void {
    this.#everControlled = true;
    this.#holdingForReconnect = false;
  }

  /**
   * A control client left at `floor`. When it was the last one, the child is held at the lowest
   * floor for a reconnect (`hold` true) or released at once (reconnectHoldMs 0).
   */
  controlLeft(floor: number, lastOne: boolean, hold: boolean): void {
    this.#controlFloor = Math.min(this.#controlFloor, floor);
    if (lastOne) this.#holdingForReconnect = hold;
  }

  /** The reconnect hold ran out: the child runs on without control clients. */
  holdExpired(): void {
    this.#holdingForReconnect = false;
  }

  /** The process exited: nothing is held any more. */
  processExited(): void {
    this.#holdingForReconnect = false;
    this.#paused = false;
  }

  /**
   * Step one of a decision: where the replay buffer must keep output from (Infinity: nothing is
   * held), given the slowest attached control client's floor (undefined while none is attached).
   */
  retainFrom(controlFloor: number | undefined): number {
    if (controlFloor !== undefined) this.#controlFloor = controlFloor;
    this.#heldByClients = controlFloor !== undefined || this.holding;
    return this.#heldByClients ? this.#controlFloor : Number.POSITIVE_INFINITY;
  }

  /**
   * Step two, once the replay buffer has evicted what step one allows (its budget must be read
   * after that): pause the child (true), resume it (false), or leave it as it is (null).
   */
  decide(inputs: FlowInputs): boolean | null {
    const window = this.limits.windowBytes;
    const behind =
      !inputs.processGone &&
      ((this.#heldByClients &&
        (inputs.replayEnd - this.#controlFloor > window || inputs.replayOverBudget)) ||
        inputs.screenBacklog > window);
    const change = behind === this.#paused ? null : behind;
    this.#paused = behind;
    return change;
  }
}

/** The smallest floor among control clients; undefined when there is none. */
export function slowestControlFloor(clients: Iterable<ClientPosition>): number | undefined {
  let floor: number | undefined;
  for (const client of clients) {
    if (client.role === 'control') floor = Math.min(floor ?? client.floor, client.floor);
  }
  return floor;
}

/** The next thing to send a client, given what the replay buffer holds. */
export type SendStep =
  /** Its next byte has left the replay buffer: tell it, and move it to the buffer's start. */
  | { kind: 'gap'; from: number; to: number }
  /** Send up to `budget` bytes from its position. */
  | { kind: 'send'; budget: number }
  /** A viewer a full lag behind: nothing until it acknowledges. */
  | { kind: 'lagging' }
  /** Nothing left to send. */
  | { kind: 'caught-up' };

export function nextSendStep(
  client: ClientPosition,
  replay: { start: number; end: number },
  limits: FlowLimits,
): SendStep {
  if (client.sent >= replay.end) return { kind: 'caught-up' };
  const budget = viewerBudget(client, limits);
  if (budget <= 0) return { kind: 'lagging' };
  if (client.sent < replay.start) return { kind: 'gap', from: client.sent, to: replay.start };
  return { kind: 'send', budget };
}

/** How much more may be sent to a client before it acknowledges: unbounded for control clients. */
export function viewerBudget(client: ClientPosition, limits: FlowLimits): number {
  if (client.role !== 'view') return Number.POSITIVE_INFINITY;
  return limits.viewerLagBytes - (client.sent - client.floor);
}

/** A viewer that was just sent live output and is now a full lag behind stops receiving. */
export function viewerFellBehind(client: ClientPosition, limits: FlowLimits): boolean {
  return client.role === 'view' && client.sent - client.floor >= limits.viewerLagBytes;
}

/** A lagging viewer resumes once it has acknowledged down to half the lag. */
export function viewerCaughtUp(client: ClientPosition, limits: FlowLimits): boolean {
  return client.sent - client.floor <= limits.viewerLagBytes / 2;
}
