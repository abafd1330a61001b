// Why containment cannot be what the configuration asks for. Start-up stops with it.

export type ContainmentErrorCode =
  /** containment.keeper is true but the keeper program or its addon is not built. */
  | 'EKEEPER'
  /** containment.cgroup is "required" (or a limit is set) but no writable cgroup can provide it. */
  | 'ECGROUP';

export class ContainmentError extends Error {
  override readonly name = 'ContainmentError';
  readonly code: ContainmentErrorCode;

  constructor(code: ContainmentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
