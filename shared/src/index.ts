// @shellgate/shared: the wire protocol of shellgate, version 1 — message types, runtime
// validation, binary framing, error and close codes, constants, routes — and the client side of the
// stream (client/). docs/protocol.md describes it.
export * from './constants.js';
export * from './version.js';
export * from './errors.js';
export * from './session.js';
export * from './messages.js';
export * from './api.js';
export * from './frames.js';
export * from './parse.js';
export * from './routes.js';
export * from './shares.js';
export * from './recordings.js';
export * from './stream-query.js';
export * from './client/index.js';
