// The protocol's client side, once: a stream client behind a small socket interface.
export { StreamClient } from './stream-client.js';
export type {
  ConnectionState,
  EventMessage,
  HelloMessage,
  OutputStream,
  ProbeVerdict,
  StreamClientOptions,
} from './stream-client.js';
export type { Disposable, OpenSocket, Scheduler, StreamSocket } from './socket.js';
export { StreamCursor } from './cursor.js';
export { AckBatcher } from './acks.js';
export type { AckTarget } from './acks.js';
export { closeVerdict, describeClose, reconnectDelay } from './close-codes.js';
export type { CloseVerdict, StopReason } from './close-codes.js';
export { ACK_BYTES, ACK_DELAY_MS, MAX_ACK_BYTES, RECONNECT } from './constants.js';
