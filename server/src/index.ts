// @shellgate/server: the gateway. A small public entry — the process core has its own
// (`@shellgate/server/process`).
export { createGateway } from './gateway.js';
export type { Gateway, GatewayOptions } from './gateway.js';
export { ConfigError, loadConfig, resolveConfig } from './config/load.js';
export type { GatewayConfig, LoadOptions } from './config/load.js';
export { DEFAULT_LIMITS } from './config/limits.js';
export type { Limits } from './config/limits.js';
