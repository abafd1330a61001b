// @shellgate/client: the operator's command-line client (`shellgate exec|attach|ls|kill|logs|share`).
export { runClient, CLIENT_USAGE } from './main.js';
export { CLIENT_COMMANDS, isClientCommand } from './command-names.js';
export type { ClientCommand } from './command-names.js';
export { ClientError, ClientErrorCode, FAILURE_STATUS } from './errors.js';
export { exitWhenFlushed } from './exit.js';
