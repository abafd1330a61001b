// The warm-up's client: what a browser or `shellgate exec` does on the wire, and no more — a stream
// opened by an exec upgrade or by POST /api/sessions then the session's stream, stdin frames in,
// output counted and acknowledged by the shared client's AckBatcher, as every client acks.
import { request } from 'node:http';
import {
  AckBatcher,
  ApiPath,
  FrameType,
  SUBPROTOCOL,
  decodeFrame,
  encodeFrame,
  parseServerMessage,
} from '@shellgate/shared';
import type { HelloMessage } from '@shellgate/shared';
import { nodeScheduler } from '@shellgate/client/ws-socket';
import WebSocket from 'ws';

export class WarmupError extends Error {
  override readonly name = 'WarmupError';
}

/** One stream, driven the way a client drives it: frames in, output counted and acknowledged. */
export class ClientStream {
  /** The offset just past the last output byte received. */
  received: number;
  readonly #acks: AckBatcher;
  #waiter: { bytes: number; resolve: () => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;
  readonly ended: Promise<void>;

  private constructor(
    readonly ws: WebSocket,
    hello: HelloMessage,
  ) {
    this.received = hello.offset;
    this.#acks = new AckBatcher(nodeScheduler, {
      limit: () => this.received,
      send: (offset) => {
        ws.send(JSON.stringify({ type: 'ack', offset }));
        return true;
      },
    });
    this.#acks.reset(hello.offset, hello.window);
    let resolveEnded!: () => void;
    this.ended = new Promise((resolve) => (resolveEnded = resolve));
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        const message = parseServerMessage(data.toString('utf8'));
        if (message.type === 'error') this.#fail(new WarmupError(`${message.code}: ${message.message}`));
        // A session's stream stays open after `exit` (an exec stream is closed by the gateway).
        if (message.type === 'exit') ws.close();
        return;
      }
      const frame = decodeFrame(data);
      if (frame.type !== FrameType.Stdout && frame.type !== FrameType.Stderr) return;
      this.received += frame.payload.byteLength;
      this.#acks.processed(this.received);
      if (this.#waiter !== undefined && this.received >= this.#waiter.bytes) {
        this.#waiter.resolve();
        this.#waiter = undefined;
      }
    });
    ws.on('error', (error) => this.#fail(error));
    ws.once('close', () => {
      this.#acks.cancel();
      this.#fail(new WarmupError('the stream closed'));
      resolveEnded();
    });
  }

  /** Opens the stream at `url` (an exec upgrade or a session's stream), resolved at `hello`. */
  static open(url: string, token: string): Promise<ClientStream> {
    const ws = new WebSocket(url, SUBPROTOCOL, { headers: { authorization: `Bearer ${token}` } });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (request, response) => {
        request.destroy();
        reject(new WarmupError(`the upgrade to ${url} was refused (${String(response.statusCode)})`));
      });
      ws.once('error', reject);
      ws.once('message', (data: Buffer) => {
        const hello = parseServerMessage(data.toString('utf8'));
        if (hello.type === 'hello') resolve(new ClientStream(ws, hello));
        else reject(new WarmupError(`the stream at ${url} began with ${hello.type}, not hello`));
      });
    });
  }

  /**
   * Sends `bytes` as stdin, waits until `replyBytes` more bytes of output have arrived and acks
   * them: an interactive client's acks come on a timer, a few per keystroke burst, and their path
   * (a text message, its validation, the flow-control update) must be warm too.
   */
  async roundTrip(bytes: Buffer, replyBytes: number): Promise<void> {
    const replied = this.until(this.received + replyBytes);
    this.ws.send(encodeFrame(FrameType.Stdin, bytes));
    await replied;
    this.#acks.flush();
  }

  until(bytes: number): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.received >= bytes) return Promise.resolve();
    return new Promise((resolve, reject) => (this.#waiter = { bytes, resolve, reject }));
  }

  closeStdin(): void {
    this.ws.send(JSON.stringify({ type: 'close-stdin' }));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#waiter?.reject(this.#failure);
    this.#waiter = undefined;
  }
}

/** `POST /api/sessions` for `profile`; resolves with the new session's id. */
export function createSession(url: string, token: string, profile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ profile });
    const post = request(`${url}${ApiPath.sessions}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    post.once('error', reject);
    post.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 201) {
          reject(
            new WarmupError(
              `creating a ${profile} session was refused (${String(response.statusCode)}): ${text}`,
            ),
          );
          return;
        }
        const id: unknown = (JSON.parse(text) as { session?: { id?: unknown } }).session?.id;
        if (typeof id === 'string') resolve(id);
        else reject(new WarmupError(`creating a ${profile} session answered no id: ${text}`));
      });
    });
    post.end(body);
  });
}
