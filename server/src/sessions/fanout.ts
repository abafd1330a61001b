// Fan-out: every attached client gets the session's output in order, each from its own position,
// as far as flow control lets it (flow-control.ts decides; this file sends). The ordering a client
// sees is always: `hello` (and a snapshot), output with any `gap` in place, then `exit` once the
// process has exited and the client has every byte. A client that asked for input gets each
// `input` message just before the output from its offset on.
//
// A client attaching is "joining" until its `hello` went out (a PTY client waits for its screen
// snapshot): it is counted, but sent nothing else yet.
import type { ExitStatus, ServerMessage } from '@shellgate/shared';
import type { Attachment } from './attachment.js';
import { nextSendStep, viewerCaughtUp, viewerFellBehind } from './flow-control.js';
import type { FlowLimits } from './flow-control.js';
import { InputLog } from './input-log.js';
import type { InputEntry } from './input-log.js';
import type { ReplayBuffer } from './replay.js';

export class Fanout {
  readonly #joined = new Set<Attachment>();
  /** Made for a join and dropped once empty: a Set is ~150 bytes, and most sessions are not joining. */
  #joining: Set<Attachment> | undefined;
  #exit: ExitStatus | null = null;

  constructor(
    private readonly replay: ReplayBuffer,
    private readonly limits: FlowLimits,
    private readonly inputs: InputLog = new InputLog(0),
  ) {}

  /** Attached clients, including those still joining. */
  get size(): number {
    return this.#joined.size + (this.#joining?.size ?? 0);
  }

  /** Clients that have had their `hello`. */
  get joined(): ReadonlySet<Attachment> {
    return this.#joined;
  }

  hasControl(): boolean {
    for (const attachment of this.#joined) if (attachment.role === 'control') return true;
    return false;
  }

  beginJoin(attachment: Attachment): void {
    (this.#joining ??= new Set()).add(attachment);
  }

  /** Moves a joining client to the live stream; false if it left (or was dropped) meanwhile. */
  join(attachment: Attachment): boolean {
    if (!this.#leaveJoining(attachment)) return false;
    this.#joined.add(attachment);
    return true;
  }

  /** Forgets a client; returns where it was: 'joined', 'joining' or null if unknown. */
  leave(attachment: Attachment): 'joined' | 'joining' | null {
    if (this.#leaveJoining(attachment)) return 'joining';
    if (this.#joined.delete(attachment)) return 'joined';
    return null;
  }

  /** Output just appended to the replay buffer as `frame`, covering [start, end). */
  relay(frame: Buffer, start: number, end: number): void {
    for (const attachment of this.#joined) {
      if (attachment.lagging) continue;
      if (attachment.sent === start) {
        // The common case: a client that is up to date gets the very frame the buffer holds.
        attachment.sink.sendFrame(frame);
        attachment.sent = end;
        if (viewerFellBehind(attachment, this.limits)) attachment.lagging = true;
      } else {
        this.pump(attachment);
      }
    }
  }

  /** The client acknowledged more: a lagging viewer that caught up is sent what it missed. */
  acknowledged(attachment: Attachment): void {
    if (attachment.lagging && viewerCaughtUp(attachment, this.limits)) {
      attachment.lagging = false;
      this.pump(attachment);
    }
  }

  /** The process exited: every client gets what is left, then `exit`. */
  exited(status: ExitStatus): void {
    this.#exit = status;
    for (const attachment of this.#joined) this.pump(attachment);
  }

  /** Sends `attachment` what it has not had yet, as far as its lag allows; then `exit` if due. */
  pump(attachment: Attachment): void {
    for (;;) {
      const step = nextSendStep(attachment, this.replay, this.limits);
      switch (step.kind) {
        case 'lagging':
          attachment.lagging = true;
          return;
        case 'gap':
          attachment.sink.sendMessage({ type: 'gap', from: step.from, to: step.to });
          attachment.sent = step.to;
          attachment.skippedTo = step.to;
          continue;
        case 'send': {
          this.#sendInputs(attachment);
          // Output only up to the next input, which goes out between the two (flow control's
          // budget may be overshot by the last slice, as before; the input's place may not).
          const nextAt = attachment.inputSeq === null ? null : this.inputs.nextAt(attachment.inputSeq);
          let room = nextAt === null ? Number.POSITIVE_INFINITY : nextAt - attachment.sent;
          for (const slice of this.replay.slice(attachment.sent, Math.min(step.budget, room))) {
            const length = Math.min(slice.length, room);
            // A frame is its type byte, then the payload: cut short, it is still a frame.
            attachment.sink.sendFrame(
              length === slice.length ? slice.frame : slice.frame.subarray(0, 1 + length),
            );
            attachment.sent += length;
            room -= length;
            if (room <= 0) break;
          }
          continue;
        }
        case 'caught-up':
          this.#sendInputs(attachment);
          attachment.lagging = false;
          this.#sendExit(attachment);
          return;
        default: {
          const check: never = step;
          return check;
        }
      }
    }
  }

  /** A control client's input was just recorded at the end of the output: who is there sees it now. */
  inputRecorded(entry: InputEntry): void {
    for (const attachment of this.#joined) {
      if (!attachment.lagging && attachment.sent === entry.at) this.#sendInputs(attachment);
    }
  }

  broadcast(message: ServerMessage, except?: Attachment): void {
    for (const attachment of this.#joined) {
      if (attachment !== except) attachment.sink.sendMessage(message);
    }
  }

  /** Closes every client (joined or joining) and forgets them. */
  closeAll(code: number, reason: string): void {
    for (const attachment of [...this.#joined, ...(this.#joining ?? [])]) attachment.sink.close(code, reason);
    this.#joined.clear();
    this.#joining = undefined;
  }

  #leaveJoining(attachment: Attachment): boolean {
    if (this.#joining?.delete(attachment) !== true) return false;
    if (this.#joining.size === 0) this.#joining = undefined;
    return true;
  }

  /** The input entries due before the client's next output byte. */
  #sendInputs(attachment: Attachment): void {
    if (attachment.inputSeq === null) return;
    for (const entry of this.inputs.due(attachment.inputSeq, attachment.sent)) {
      attachment.sink.sendMessage({ type: 'input', seq: entry.seq, at: entry.at, data: entry.data });
      attachment.inputSeq = entry.seq + 1;
    }
  }

  #sendExit(attachment: Attachment): void {
    const exit = this.#exit;
    if (exit === null || attachment.exitSent) return;
    attachment.exitSent = true;
    attachment.sink.sendMessage({ type: 'exit', code: exit.code, signal: exit.signal });
  }
}
