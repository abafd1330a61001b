// The client's own failures: one class with a stable code, each ending the command with status 255
// and one line on stderr (`shellgate: …`). docs/client.md lists the codes.

export const ClientErrorCode = {
  /** A bad command line: unknown subcommand or option, a missing or malformed value. */
  Usage: 'USAGE',
  /** A credential that cannot be read, or a URL that cannot be used. */
  Config: 'CONFIG',
  /** A token would travel over plain http to a host that is not this machine. */
  InsecureTransport: 'INSECURE_TRANSPORT',
  /** The gateway could not be reached at all. */
  Unreachable: 'UNREACHABLE',
  /** The gateway answered a request with an error (the gateway's code is kept in `remoteCode`). */
  Refused: 'REFUSED',
  /** The stream ended before the session's exit: gone, signed out, or closed by the gateway. */
  SessionLost: 'SESSION_LOST',
  /** Local stdout or stderr cannot be written (the reader went away). */
  LocalOutput: 'LOCAL_OUTPUT',
  /** The gateway sent something this client cannot read. */
  Protocol: 'PROTOCOL',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

export class ClientError extends Error {
  override readonly name = 'ClientError';

  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options: { cause?: unknown; remoteCode?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.remoteCode = options.remoteCode;
  }

  /** The gateway's error code (`SESSION_NOT_FOUND`, …) when the gateway refused. */
  readonly remoteCode: string | undefined;
}

/** The status every client or gateway failure exits with, as `ssh` does. */
export const FAILURE_STATUS = 255;
