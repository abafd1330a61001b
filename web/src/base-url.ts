// The gateway may be served under a base path behind a reverse proxy (`https://ops.example/shell/`):
// every API and stream URL is resolved against the page's own directory, never the host's root.
// (The routes are hash-based, so the page's path is always the app's root.)

/** The app's root URL, e.g. `https://ops.example/shell/`. */
export function appBase(): string {
  return new URL('./', location.href).href;
}

/** An API path (`/api/login`) as a URL under the app's root. */
export function appUrl(path: string): string {
  return new URL(path.replace(/^\/+/, ''), appBase()).href;
}
