// Share links (docs/sharing.md): the request and answer shapes, and the link's own format,
// `<id>.<secret>`, which travels in a URL's fragment (`#share=…`) so that no server or proxy logs it.
import { z } from 'zod';
import { ROLES } from './constants.js';
import { ErrorCode, ProtocolError } from './errors.js';

/** A share's id: 16 random bytes, base64url. Names the share in lists, audit records and revocation. */
export const SHARE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** A share's secret: 32 random bytes, base64url. Only its SHA-256 digest is kept by the gateway. */
export const SHARE_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** The URL fragment key that carries a link: `https://gateway/#share=<id>.<secret>`. */
export const SHARE_FRAGMENT_KEY = 'share';
/** A link's time to live when the request names none (seconds), within `shares.maxTtlSeconds`. */
export const DEFAULT_SHARE_TTL_SECONDS = 3600;

/** `POST /api/sessions/:id/shares` */
export const createShareRequestSchema = z.strictObject({
  /** What the link allows: watching (`view`, the default) or also typing, signalling, resizing. */
  mode: z.enum(ROLES).optional(),
  /** Seconds until the link expires; at most `shares.maxTtlSeconds`. */
  ttlSeconds: z
    .number({ error: 'expected a whole number of seconds' })
    .int('expected a whole number of seconds')
    .positive('expected a positive number of seconds')
    .optional(),
});
export type CreateShareRequest = z.infer<typeof createShareRequestSchema>;

/** `POST /api/share/open`: the link as the browser got it (a URL, its fragment, or `<id>.<secret>`). */
export const openShareRequestSchema = z.strictObject({ link: z.string().min(1).max(4096) });
export type OpenShareRequest = z.infer<typeof openShareRequestSchema>;

export const shareInfoSchema = z.object({
  id: z.string(),
  /** The session the link opens. */
  session: z.string(),
  mode: z.enum(ROLES),
  /** The token name that created it. */
  createdBy: z.string(),
  /** ISO 8601 times. */
  createdAt: z.string(),
  expiresAt: z.string(),
  /** How often the link was opened. */
  opens: z.number().int(),
});
export type ShareInfo = z.infer<typeof shareInfoSchema>;

/** `201` answer of `POST /api/sessions/:id/shares`: the only time the secret is ever shown. */
export const createShareResponseSchema = z.object({
  share: shareInfoSchema,
  /** `<id>.<secret>`: what `POST /api/share/open` takes. */
  link: z.string(),
  /** The web app's address with the link in its fragment, ready to send to someone. */
  url: z.string(),
});
export type CreateShareResponse = z.infer<typeof createShareResponseSchema>;

export const shareListResponseSchema = z.object({ shares: z.array(shareInfoSchema) });

/** `200` answer of `POST /api/share/open`: which session the cookie now opens, in which role. */
export const openShareResponseSchema = z.object({
  session: z.string(),
  mode: z.enum(ROLES),
  expiresAt: z.string(),
});
export type OpenShareResponse = z.infer<typeof openShareResponseSchema>;

export interface ShareLink {
  id: string;
  secret: string;
}

/**
 * The id and secret of a link given as a whole URL (`…#share=<id>.<secret>`), a fragment, or bare
 * `<id>.<secret>`. Throws SHARE_LINK_INVALID naming what is wrong with it.
 */
export function parseShareLink(text: string): ShareLink {
  const fragment = /[#&]share=([^&#]*)/.exec(text);
  const bare = fragment?.[1] ?? text.trim();
  // Base64url and "." need no escaping: a link with any escape in it is not one of ours.
  const [id = '', secret = '', ...rest] = bare.split('.');
  if (rest.length > 0 || !SHARE_ID_PATTERN.test(id) || !SHARE_SECRET_PATTERN.test(secret)) {
    throw new ProtocolError(
      ErrorCode.ShareLinkInvalid,
      'not a share link: expected "#share=<id>.<secret>" (22 and 43 base64url characters)',
    );
  }
  return { id, secret };
}
