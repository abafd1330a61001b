// The Node `ws` adapter of the shared stream client is the command-line client's; tests use that one.
export { nodeScheduler, toBuffer, wsStreamSocket } from '../../client/src/ws-socket.ts';
