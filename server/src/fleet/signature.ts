// The principal an entry node forwards to the owner of a session, signed with the node secret every
// node of the fleet shares: HMAC-SHA256 over the method, the path, the body's digest, the principal,
// a timestamp and a nonce. The owner accepts a signature once (nonces are remembered while they are
// fresh) and only within MAX_SKEW_MS of its own clock, then re-checks authorization itself.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { TOKEN_ROLES } from '@shellgate/shared';
import { z } from 'zod';

export const SIGNATURE_HEADERS = {
  node: 'x-shellgate-node',
  principal: 'x-shellgate-principal',
  time: 'x-shellgate-time',
  nonce: 'x-shellgate-nonce',
  signature: 'x-shellgate-signature',
} as const;

/** How far a signature's timestamp may be from the verifier's clock (either way). */
const MAX_SKEW_MS = 30_000;
/** Nonces remembered at once; past this the oldest go first (they expire after 2 × MAX_SKEW_MS). */
const MAX_NONCES = 100_000;

const signedPrincipalSchema = z.strictObject({
  name: z.string().min(1).max(64),
  role: z.enum(TOKEN_ROLES),
  scope: z.enum(['own', 'all']),
  /** SHA-256 of the login id the client authenticated with (never the id itself), if a cookie. */
  login: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** The client's address as the entry node saw it (for the owner's audit trail). */
  from: z.string().max(64).optional(),
});
export type SignedPrincipal = z.infer<typeof signedPrincipalSchema>;

export class SignatureError extends Error {
  override readonly name = 'SignatureError';
}

export interface SignedRequest {
  method: string;
  /** The path and query exactly as sent on the wire. */
  path: string;
  body: Buffer;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** SHA-256 of a login id, hex: how logins are named between nodes and in the database. */
export const loginHash = (loginId: string): string => sha256(loginId);

function canonical(request: SignedRequest, node: string, principal: string, time: string, nonce: string) {
  return ['shellgate-fleet-v1', request.method.toUpperCase(), request.path, node, principal, time, nonce]
    .concat(sha256(request.body))
    .join('\n');
}

export class NodeSigner {
  readonly #secret: Buffer;
  /** nonce → when it may be forgotten (ms since the epoch); insertion order is expiry order. */
  readonly #nonces = new Map<string, number>();

  constructor(
    secret: string,
    private readonly node: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#secret = Buffer.from(secret, 'utf8');
  }

  /** The headers that carry `principal` to the owner with `request`. */
  sign(request: SignedRequest, principal: SignedPrincipal): Record<string, string> {
    const encoded = Buffer.from(JSON.stringify(principal)).toString('base64url');
    const time = String(this.now());
    const nonce = randomBytes(16).toString('base64url');
    const mac = createHmac('sha256', this.#secret)
      .update(canonical(request, this.node, encoded, time, nonce))
      .digest('base64url');
    return {
      [SIGNATURE_HEADERS.node]: this.node,
      [SIGNATURE_HEADERS.principal]: encoded,
      [SIGNATURE_HEADERS.time]: time,
      [SIGNATURE_HEADERS.nonce]: nonce,
      [SIGNATURE_HEADERS.signature]: mac,
    };
  }

  /** The signed principal and the node that signed it, or a SignatureError saying what was wrong. */
  verify(request: SignedRequest, headers: IncomingHttpHeaders): { node: string; principal: SignedPrincipal } {
    const field = (name: string): string => {
      const value = headers[name];
      if (typeof value !== 'string' || value === '' || value.length > 4096)
        throw new SignatureError(`missing ${name} header`);
      return value;
    };
    const node = field(SIGNATURE_HEADERS.node);
    const encoded = field(SIGNATURE_HEADERS.principal);
    const time = field(SIGNATURE_HEADERS.time);
    const nonce = field(SIGNATURE_HEADERS.nonce);
    const given = Buffer.from(field(SIGNATURE_HEADERS.signature), 'base64url');
    const expected = createHmac('sha256', this.#secret)
      .update(canonical(request, node, encoded, time, nonce))
      .digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new SignatureError('bad node signature');
    const now = this.now();
    const at = Number(time);
    if (!Number.isSafeInteger(at) || Math.abs(now - at) > MAX_SKEW_MS)
      throw new SignatureError("node signature timestamp out of range (check the nodes' clocks)");
    this.#forgetExpired(now);
    if (this.#nonces.has(nonce)) throw new SignatureError('node signature replayed');
    if (this.#nonces.size >= MAX_NONCES) {
      const oldest = this.#nonces.keys().next();
      if (oldest.done !== true) this.#nonces.delete(oldest.value);
    }
    this.#nonces.set(nonce, now + 2 * MAX_SKEW_MS);
    let principal: unknown;
    try {
      principal = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    } catch {
      throw new SignatureError('signed principal is not JSON');
    }
    const parsed = signedPrincipalSchema.safeParse(principal);
    if (!parsed.success) throw new SignatureError('signed principal has the wrong shape');
    return { node, principal: parsed.data };
  }

  #forgetExpired(now: number): void {
    for (const [nonce, until] of this.#nonces) {
      if (until > now) break;
      this.#nonces.delete(nonce);
    }
  }
}
