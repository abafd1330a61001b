// Heartbeats: one timer for every connection. Each period, a connection that has not answered the
// previous ping is dead (a closed laptop, a dropped network) and is closed with 4008; the others
// get a new ping. Every ping carries fresh random bytes and only a pong echoing them counts: a peer
// that sends pongs unasked, without reading what we send, cannot pass for alive.
import { randomBytes } from 'node:crypto';

/** Random bytes per ping: enough that a peer cannot answer one it has not read. */
const PING_PAYLOAD_BYTES = 16;

export interface Beating {
  ping(payload: Buffer): void;
  dead(): void;
}

export interface Beat {
  /** A pong arrived: it counts only if it carries the outstanding ping's payload. */
  pong(payload: Buffer): void;
  dispose(): void;
}

/** A connection's membership, and the Beat it is given: one object with its methods on the prototype
 * (closures per connection would cost it ~150 bytes more). */
class Member implements Beat {
  /** The payload of the ping not yet answered; null when the last one was answered. */
  awaiting: Buffer | null = null;

  constructor(
    readonly beating: Beating,
    private readonly members: Set<Member>,
  ) {}

  pong(payload: Buffer): void {
    if (this.awaiting !== null && this.awaiting.equals(payload)) this.awaiting = null;
  }

  dispose(): void {
    this.members.delete(this);
  }
}

export class Heartbeat {
  readonly #members = new Set<Member>();
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.#timer = setInterval(() => this.#beat(), intervalMs);
    this.#timer.unref();
  }

  add(beating: Beating): Beat {
    const member = new Member(beating, this.#members);
    this.#members.add(member);
    return member;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#members.clear();
  }

  #beat(): void {
    for (const member of this.#members) {
      if (member.awaiting !== null) {
        this.#members.delete(member);
        member.beating.dead();
        continue;
      }
      member.awaiting = randomBytes(PING_PAYLOAD_BYTES);
      member.beating.ping(member.awaiting);
    }
  }
}
