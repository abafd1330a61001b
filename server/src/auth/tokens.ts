// Token verification. Tokens are stored as SHA-256 digests (configured as plain text or as
// `sha256:<hex>`), and a presented token is compared against every digest with timingSafeEqual,
// so neither the comparison nor the lookup order tells an attacker how close a guess was.
import { createHash, timingSafeEqual } from 'node:crypto';
import { namedTokens } from '../config/schema.js';
import type { TokenConfig } from '../config/schema.js';
import type { Principal } from './principal.js';

interface StoredToken {
  digest: Buffer;
  principal: Principal;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class TokenStore {
  readonly #tokens: StoredToken[];

  constructor(tokens: readonly TokenConfig[]) {
    this.#tokens = namedTokens(tokens).map(({ token, name }) => {
      const digest =
        token.token !== undefined
          ? sha256(token.token)
          : Buffer.from((token.sha256 ?? '').replace(/^sha256:/, ''), 'hex');
      const scope = token.scope ?? (token.role === 'viewer' ? 'all' : 'own');
      const principal: Principal = { name, role: token.role, scope };
      if (token.metrics === true) principal.metrics = true;
      return { digest, principal };
    });
  }

  /** The identity a presented token belongs to, or undefined. */
  identify(token: string): Principal | undefined {
    const digest = sha256(token);
    let found: Principal | undefined;
    for (const stored of this.#tokens) {
      if (timingSafeEqual(stored.digest, digest) && found === undefined) found = stored.principal;
    }
    return found;
  }
}
