// The native addons of server/native (cloexec.c, spawn.c), built by node-gyp when the server
// workspace is installed.
import { createRequire } from 'node:module';

const requireAddon = createRequire(import.meta.url);

/**
 * Loads server/native/build/Release/NAME.node (the same relative path from src/process/ and
 * dist/process/) and checks that it exports `functions`. Returns the error that says why it cannot
 * be used instead of throwing: each caller decides whether that is fatal or a fallback.
 */
export function loadNative<T extends object>(
  name: string,
  functions: readonly (keyof T & string)[],
): T | Error {
  const path = `../../native/build/Release/${name}.node`;
  let addon: unknown;
  try {
    addon = requireAddon(path);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  const exports = typeof addon === 'object' && addon !== null ? new Map(Object.entries(addon)) : new Map();
  const missing = functions.filter((fn) => typeof exports.get(fn) !== 'function');
  if (missing.length > 0) return new Error(`${path} does not export ${missing.join(', ')}`);
  // Checked just above: every function the caller's type names is there.
  return addon as T;
}
