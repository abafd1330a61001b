import { randomBytes } from 'node:crypto';

/** 144 random bits, base64url: unguessable, and safe in a URL path. */
export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}
