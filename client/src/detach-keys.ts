// The detach sequence of `attach`: ctrl-p ctrl-q, as docker's. A ctrl-p is held back until the next
// byte shows whether it starts the sequence; anything else sends it on unchanged.
const CTRL_P = 0x10;
const CTRL_Q = 0x11;

export const DETACH_KEYS_TEXT = 'ctrl-p ctrl-q';

export class DetachKeys {
  #held = false;

  /** The bytes to send for `chunk`, and whether the sequence was typed (the rest is dropped). */
  feed(chunk: Uint8Array): { send: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.#held) {
        this.#held = false;
        if (byte === CTRL_Q) return { send: Buffer.from(out), detach: true };
        out.push(CTRL_P);
      }
      if (byte === CTRL_P) this.#held = true;
      else out.push(byte);
    }
    return { send: Buffer.from(out), detach: false };
  }
}
