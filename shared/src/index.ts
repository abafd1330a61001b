// @shellgate/shared: the wire protocol of shellgate, version 1 — message types, runtime
// validation, binary framing, error and close codes, constants. docs/protocol.md describes it.
export * from './constants.js';
export * from './errors.js';
export * from './session.js';
export * from './messages.js';
export * from './api.js';
export * from './frames.js';
export * from './parse.js';
