// One client attached to a session: where it is in the stream and what it acknowledged.
import type { ClientRole, ServerMessage, TerminalSize } from '@shellgate/shared';

/** The socket behind a small interface: sessions never touch `ws` directly. */
export interface ClientSink {
  sendFrame(frame: Uint8Array): void;
  sendMessage(message: ServerMessage): void;
  close(code: number, reason: string): void;
}

export class Attachment {
  /** Offset just past the last output byte sent to this client. */
  sent: number;
  /** The client's latest `ack` (acks never go back). */
  acked: number;
  /** Where a `gap` last moved this client to: bytes before it count as acknowledged for lag. */
  skippedTo: number;
  /** A viewer too far behind: nothing more is sent until it acks enough. */
  lagging = false;
  exitSent = false;
  /** The next input entry (`seq`) to send; null: the client did not ask for input (`?input=`). */
  inputSeq: number | null;
  /** The size of the client's own window, from its latest `resize` (PTY sessions). */
  size: TerminalSize | null = null;

  constructor(
    readonly sink: ClientSink,
    readonly role: ClientRole,
    offset: number,
    inputSeq: number | null = null,
  ) {
    this.inputSeq = inputSeq;
    this.sent = offset;
    this.acked = offset;
    this.skippedTo = offset;
  }

  /** Starts the client over from `offset` (its snapshot failed: the bytes are replayed instead). */
  rewind(offset: number): void {
    this.sent = offset;
    this.acked = offset;
    this.skippedTo = offset;
  }

  /** Everything before this offset is processed or skipped: the base for lag and flow control. */
  get floor(): number {
    return Math.max(this.acked, this.skippedTo);
  }

  /** Sent but not yet acknowledged. */
  get unacked(): number {
    return this.sent - this.floor;
  }
}
