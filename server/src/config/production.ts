// Configuration for running behind a reverse proxy, single sign-on through it, and metrics
// (docs/operations.md). Kept apart from schema.ts: each section here is one concern of deployment.
import { TOKEN_ROLES } from '@shellgate/shared';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';

export const DEFAULT_METRICS_PORT = 9464;

/**
 * `/shell` or `/ops/shell`: the path the gateway is served under. A trailing slash is dropped;
 * the root is the empty string.
 */
export const basePathSchema = z
  .string()
  .regex(
    /^(\/[A-Za-z0-9._~-]+)*\/?$/,
    'expected a path like "/shell" (segments of letters, digits, ".", "_", "~", "-")',
  )
  .transform((path) => path.replace(/\/+$/, ''))
  .default('');

/** Addresses, CIDR ranges or proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`). */
export const trustedProxiesSchema = z
  .array(
    z.string().refine(
      (entry) => {
        try {
          proxyAddr.compile(entry);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'expected an IP address, a CIDR range, or "loopback", "linklocal", "uniquelocal"' },
    ),
  )
  .default([]);

const grantSchema = z.strictObject({
  role: z.enum(TOKEN_ROLES),
  /** Which sessions the user sees: its own (operator default) or all (viewer default). */
  scope: z.enum(['own', 'all']).optional(),
});

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name')
  .transform((name) => name.toLowerCase());

/** Single sign-on: an authenticating proxy names the user (and its groups) in request headers. */
export const proxyAuthSchema = z.strictObject({
  userHeader: headerName.default('x-forwarded-user'),
  groupsHeader: headerName.optional(),
  /** What separates groups in the groups header. */
  groupsSeparator: z.string().min(1).default(','),
  /** User name → role and scope. Wins over any group. */
  users: z.record(z.string().min(1).max(64), grantSchema).default({}),
  /** The first listed group the user is in gives the role and scope. */
  groups: z.array(grantSchema.extend({ group: z.string().min(1).max(128) })).default([]),
});

export const authSchema = z.strictObject({ proxy: proxyAuthSchema.optional() }).default({});

export const metricsSchema = z
  .strictObject({
    /** Off: nothing is counted and /metrics does not exist. */
    enabled: z.boolean().default(true),
    /** A listener of its own, serving /metrics without a credential (loopback unless allowed). */
    listen: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(DEFAULT_METRICS_PORT),
      })
      .optional(),
    /** Lets `listen.host` be an address other hosts can reach (anyone there may scrape). */
    allowNonLoopback: z.boolean().default(false),
  })
  .default({ enabled: true, allowNonLoopback: false });

export type ProxyAuthConfig = z.output<typeof proxyAuthSchema>;
export type MetricsConfig = z.output<typeof metricsSchema>;
