// Heartbeats: one timer for every connection. Each period, a connection that has not answered the
// previous ping is dead (a closed laptop, a dropped network) and is closed with 4008; the others
// get a new ping.
export interface Beating {
  /** Pong seen since the last ping. */
  alive: boolean;
  ping(): void;
  dead(): void;
}

export class Heartbeat {
  readonly #members = new Set<Beating>();
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.#timer = setInterval(() => this.#beat(), intervalMs);
    this.#timer.unref();
  }

  add(member: Beating): { dispose(): void } {
    this.#members.add(member);
    return { dispose: () => void this.#members.delete(member) };
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#members.clear();
  }

  #beat(): void {
    for (const member of this.#members) {
      if (!member.alive) {
        this.#members.delete(member);
        member.dead();
        continue;
      }
      member.alive = false;
      member.ping();
    }
  }
}
