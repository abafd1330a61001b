// The entry node's half of a request for a session on another node: the request goes to the owner's
// internal path (INTERNAL_PREFIX) with the principal signed, and the owner's answer comes back as it
// is — an HTTP response, or for a stream the owner's 101 and then the raw WebSocket bytes both ways.
// The bytes are relayed, not decoded, so offsets, acks, flow control, heartbeats and close codes are
// the owner's own; the entry only follows frame boundaries (frame-tracker.ts) so that it can close
// the client's stream with 4010 if the owner goes away.
import { Agent as HttpAgent, STATUS_CODES, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CloseCode, ErrorCode, HTTP_STATUS } from '@shellgate/shared';
import type { Request, Response } from 'express';
import type { Credential } from '../auth/authenticate.js';
import type { Logger } from '../log/logger.js';
import { refuseUpgrade } from '../ws/refuse.js';
import { withinBasePath } from '../ws/upgrade.js';
import { closeFrame, FrameTracker } from './frame-tracker.js';
import { loginHash } from './signature.js';
import type { NodeSigner, SignedPrincipal } from './signature.js';
import { INTERNAL_PREFIX } from './types.js';

/** An owner that does not answer a forwarded request within this is treated as lost. */
const FORWARD_TIMEOUT_MS = 30_000;
/** How long a relayed stream's side may take to finish closing once the other side ended. */
const LINGER_MS = 2_000;
/** The handshake headers a stream upgrade carries on to the owner. */
const UPGRADE_HEADERS = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'origin'];

export function signedPrincipal(credential: Credential, from: string | undefined): SignedPrincipal {
  const { name, role, scope } = credential.principal;
  return {
    name,
    role,
    scope,
    ...(credential.loginId === undefined ? {} : { login: loginHash(credential.loginId) }),
    ...(from === undefined ? {} : { from: from.slice(0, 64) }),
  };
}

export class Forwarder {
  readonly #httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  readonly #httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });
  /** Relayed streams, ended when the node closes. */
  readonly #pipes = new Set<{ client: Duplex; owner: Socket }>();

  constructor(
    private readonly signer: NodeSigner,
    private readonly logger: Logger,
    /**
     * The end client's address, as the rest of the gateway reads it (through trusted proxies): the
     * owner records it as the request's `from`, so the socket's peer would name the proxy instead.
     */
    private readonly clientAddress: (request: IncomingMessage) => string | undefined,
    /** This node's `basePath`: the owner's internal routes are at its root, whatever its own. */
    private readonly basePath: string,
  ) {}

  /** The owner's internal path for a request this node received at `url` (below its basePath). */
  #internalPath(url: string): string {
    return `${INTERNAL_PREFIX}${withinBasePath(url, this.basePath) ?? url}`;
  }

  #send(url: URL, options: { method: string; path: string; headers: OutgoingHttpHeaders }) {
    const https = url.protocol === 'https:';
    return (https ? httpsRequest : httpRequest)({
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port,
      method: options.method,
      path: options.path,
      headers: options.headers,
      agent: options.headers.upgrade === undefined ? (https ? this.#httpsAgent : this.#httpAgent) : false,
      timeout: FORWARD_TIMEOUT_MS,
    });
  }

  /** An API request (`/api/…`) answered by the owner at `base`. */
  async forward(request: Request, response: Response, base: string, credential: Credential, body: unknown) {
    const url = new URL(base);
    const path = this.#internalPath(request.originalUrl);
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    const principal = signedPrincipal(credential, this.clientAddress(request));
    const headers: OutgoingHttpHeaders = {
      ...this.signer.sign({ method: request.method, path, body: payload }, principal),
      'content-length': payload.length,
      ...(payload.length > 0 ? { 'content-type': 'application/json' } : {}),
    };
    await new Promise<void>((resolve) => {
      const outgoing = this.#send(url, { method: request.method, path, headers });
      const lost = (error: unknown): void => {
        this.logger.warn('fleet forward failed', { node: url.host, error });
        if (!response.headersSent) {
          response
            .status(HTTP_STATUS[ErrorCode.NodeLost])
            .json({ error: { code: ErrorCode.NodeLost, message: "the session's node cannot be reached" } });
        } else response.destroy();
        resolve();
      };
      outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
      outgoing.on('error', lost);
      outgoing.on('response', (answer) => {
        response.status(answer.statusCode ?? 502);
        for (const name of ['content-type', 'retry-after']) {
          const value = answer.headers[name];
          if (typeof value === 'string') response.set(name, value);
        }
        answer.on('error', lost);
        answer.pipe(response);
        answer.on('end', () => resolve());
      });
      outgoing.end(payload);
    });
  }

  /** A stream upgrade answered by the owner at `base`: its refusal, or its 101 and the stream. */
  forwardUpgrade(
    request: IncomingMessage,
    client: Duplex,
    head: Buffer,
    base: string,
    credential: Credential,
  ) {
    const url = new URL(base);
    const path = this.#internalPath(request.url ?? '/');
    const headers: OutgoingHttpHeaders = {
      connection: 'Upgrade',
      upgrade: 'websocket',
      ...this.signer.sign(
        { method: 'GET', path, body: Buffer.alloc(0) },
        signedPrincipal(credential, this.clientAddress(request)),
      ),
    };
    for (const name of UPGRADE_HEADERS) {
      const value = request.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    const outgoing = this.#send(url, { method: 'GET', path, headers });
    const clientGone = (): void => void outgoing.destroy();
    client.once('close', clientGone);
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.on('error', (error) => {
      client.off('close', clientGone);
      if (client.destroyed) return;
      this.logger.warn('fleet stream forward failed', { node: url.host, error });
      refuseUpgrade(client, ErrorCode.NodeLost, "the session's node cannot be reached");
    });
    outgoing.on('response', (answer) => {
      // The owner refused before any 101: its status and body reach the client as they are.
      client.off('close', clientGone);
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () =>
        writeRefusal(client, answer.statusCode ?? 502, answer.headers, Buffer.concat(chunks)),
      );
      answer.on('error', () => client.destroy());
    });
    outgoing.on('upgrade', (answer, owner, ownerHead) => {
      client.off('close', clientGone);
      if (client.destroyed) {
        owner.destroy();
        return;
      }
      this.#relay(answer, client, head, owner, ownerHead);
    });
    outgoing.end();
  }

  #relay(answer: IncomingMessage, client: Duplex, head: Buffer, owner: Socket, ownerHead: Buffer): void {
    const lines = ['HTTP/1.1 101 Switching Protocols'];
    for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2)
      lines.push(`${answer.rawHeaders[i] ?? ''}: ${answer.rawHeaders[i + 1] ?? ''}`);
    client.write(`${lines.join('\r\n')}\r\n\r\n`);
    owner.setNoDelay(true);
    owner.setTimeout(0);
    if ('setNoDelay' in client && typeof client.setNoDelay === 'function')
      (client as Socket).setNoDelay(true);
    const pipe = { client, owner };
    this.#pipes.add(pipe);
    const tracker = new FrameTracker();
    const toClient = (chunk: Buffer): void => {
      tracker.push(chunk);
      if (!client.write(chunk)) {
        owner.pause();
        client.once('drain', () => owner.resume());
      }
    };
    if (ownerHead.length > 0) toClient(ownerHead);
    if (head.length > 0) owner.write(head);
    owner.on('data', toClient);
    client.on('data', (chunk: Buffer) => {
      if (!owner.write(chunk)) {
        client.pause();
        owner.once('drain', () => client.resume());
      }
    });
    let ended = false;
    // Either side's end is passed on as an end (a FIN) to the other, so that both finish their
    // close handshakes; a side that does not finish within LINGER_MS is cut.
    const finish = (socket: Duplex, last?: Buffer): void => {
      if (socket.destroyed) return;
      if (last === undefined) socket.end();
      else socket.end(last);
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    };
    const ownerGone = (): void => {
      if (ended) return;
      ended = true;
      this.#pipes.delete(pipe);
      if (tracker.closeSeen) finish(client);
      else if (tracker.atBoundary) {
        // The owner went away without a close frame: it died, or its host or network did.
        finish(client, closeFrame(CloseCode.NodeLost, "the session's node went away"));
      } else client.destroy();
    };
    const clientGone = (): void => {
      if (ended) return;
      ended = true;
      this.#pipes.delete(pipe);
      finish(owner);
      finish(client);
    };
    owner.on('end', ownerGone);
    owner.on('close', ownerGone);
    owner.on('error', ownerGone);
    client.on('end', clientGone);
    client.on('close', clientGone);
    client.on('error', clientGone);
  }

  /** Ends every relayed stream (shutdown). */
  close(): void {
    for (const { client, owner } of this.#pipes) {
      owner.destroy();
      client.destroy();
    }
    this.#pipes.clear();
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}

/** Relays the owner's refusal of an upgrade: its status, headers that matter and body; then closes. */
function writeRefusal(socket: Duplex, status: number, headers: IncomingHttpHeaders, bytes: Buffer): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, 'Connection: close'];
  lines.push(`Content-Type: ${headers['content-type'] ?? 'application/json; charset=utf-8'}`);
  for (const name of ['retry-after', 'sec-websocket-version']) {
    const value = headers[name];
    if (typeof value === 'string') lines.push(`${name}: ${value}`);
  }
  lines.push(`Content-Length: ${bytes.length}`);
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), bytes]));
}
