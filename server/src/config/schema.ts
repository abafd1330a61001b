// The configuration file's schema, with defaults. Inbound JSON is `unknown` until this accepts it.
import { MODES, REQUEST_LIMITS, TOKEN_ROLES } from '@shellgate/shared';
import type { TokenRole } from '@shellgate/shared';
import { z } from 'zod';
import { fleetConfigSchema } from '../fleet/config.js';
import { LOG_LEVELS } from '../log/logger.js';
import { isLoopbackAddress } from '../auth/origin.js';
import { DEFAULT_LIMITS, DEFAULT_RECORDING, DEFAULT_SHARES } from './limits.js';
import { authSchema, basePathSchema, metricsSchema, trustedProxiesSchema } from './production.js';

const DEFAULT_PORT = 8022;
const DEFAULT_HOST = '127.0.0.1';

/** Variables a child may inherit from the gateway's environment unless `env.allow` says otherwise. */
const DEFAULT_ENV_ALLOW = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
];

const positiveInt = z
  .number({ error: 'expected a positive integer' })
  .int('expected a positive integer')
  .positive('expected a positive integer');
const nonNegativeInt = z
  .number({ error: 'expected a non-negative integer' })
  .int('expected a non-negative integer')
  .nonnegative('expected a non-negative integer');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const envMap = z.record(envName, z.string());

const limitsSchema = z.strictObject({
  maxSessions: positiveInt.default(DEFAULT_LIMITS.maxSessions),
  maxSessionsPerToken: positiveInt.default(DEFAULT_LIMITS.maxSessionsPerToken),
  maxClientsPerSession: positiveInt.default(DEFAULT_LIMITS.maxClientsPerSession),
  maxMessageBytes: positiveInt.min(64, 'expected at least 64').default(DEFAULT_LIMITS.maxMessageBytes),
  maxBodyBytes: positiveInt.min(1024, 'expected at least 1024').default(DEFAULT_LIMITS.maxBodyBytes),
  inputBytesPerSecond: positiveInt.default(DEFAULT_LIMITS.inputBytesPerSecond),
  maxPendingInputBytes: positiveInt.default(DEFAULT_LIMITS.maxPendingInputBytes),
  replayBufferBytes: positiveInt.default(DEFAULT_LIMITS.replayBufferBytes),
  flowControlWindowBytes: positiveInt.default(DEFAULT_LIMITS.flowControlWindowBytes),
  viewerLagBytes: positiveInt.default(DEFAULT_LIMITS.viewerLagBytes),
  maxClientBacklogBytes: positiveInt.default(DEFAULT_LIMITS.maxClientBacklogBytes),
  idleTimeoutMs: nonNegativeInt.default(DEFAULT_LIMITS.idleTimeoutMs),
  reconnectHoldMs: nonNegativeInt.default(DEFAULT_LIMITS.reconnectHoldMs),
  exitedSessionTtlMs: nonNegativeInt.default(DEFAULT_LIMITS.exitedSessionTtlMs),
  heartbeatIntervalMs: positiveInt
    .min(100, 'expected at least 100')
    .default(DEFAULT_LIMITS.heartbeatIntervalMs),
  terminateGracePeriodMs: nonNegativeInt
    .max(REQUEST_LIMITS.maxGracePeriodMs, `expected at most ${REQUEST_LIMITS.maxGracePeriodMs}`)
    .default(DEFAULT_LIMITS.terminateGracePeriodMs),
  loginTtlMs: positiveInt.default(DEFAULT_LIMITS.loginTtlMs),
  loginFailuresPerMinute: positiveInt.default(DEFAULT_LIMITS.loginFailuresPerMinute),
});

const tokenSchema = z
  .strictObject({
    name: z.string().min(1).max(64).optional(),
    token: z
      .string()
      .min(16, 'expected at least 16 characters')
      .max(REQUEST_LIMITS.maxTokenLength)
      .optional(),
    sha256: z
      .string()
      .regex(/^(sha256:)?[0-9a-fA-F]{64}$/, 'expected "sha256:" and 64 hex digits')
      .optional(),
    role: z.enum(TOKEN_ROLES),
    /** Which sessions the token sees: its own (operator default) or all (viewer default). */
    scope: z.enum(['own', 'all']).optional(),
    /** May read GET /metrics (docs/operations.md, "Metrics"). */
    metrics: z.boolean().optional(),
  })
  .refine((token) => (token.token === undefined) !== (token.sha256 === undefined), {
    message: 'expected exactly one of "token" and "sha256"',
  });

/**
 * Each token's name: the configured one, or its role and its index among the tokens of that role
 * (`operator1`, `viewer1`). Identity, session ownership and visibility are keyed by it.
 */
export function namedTokens<T extends { name?: string | undefined; role: TokenRole }>(
  tokens: readonly T[],
): Array<{ token: T; name: string }> {
  const counts = new Map<TokenRole, number>();
  return tokens.map((token) => {
    const index = (counts.get(token.role) ?? 0) + 1;
    counts.set(token.role, index);
    return { token, name: token.name ?? `${token.role}${index}` };
  });
}

const profileSchema = z.strictObject({
  argv: z.array(z.string().min(1)).min(1, 'expected at least the command'),
  mode: z.enum(MODES).default('pipe'),
  allowArgs: z.boolean().default(false),
  description: z.string().max(200).optional(),
  env: envMap.optional(),
  cwd: z.string().min(1).optional(),
  /**
   * PTY sessions only: keep a server-side screen so that a client attaching mid-session sees the
   * screen instead of a byte replay. Costs CPU in a worker thread (little for plain text, which
   * is not parsed until needed: screen/feed.ts); off for raw throughput.
   */
  screen: z.boolean().default(true),
  /** Records this profile's sessions, or not, whatever `recording.enabled` says. */
  record: z.boolean().optional(),
});

const recordingSchema = z.strictObject({
  /** Records every profile's sessions (a profile's `record` overrides it). */
  enabled: z.boolean().default(false),
  /** Where recordings are written; created (mode 0700) if missing. Required once anything records. */
  dir: z.string().min(1).optional(),
  /** Records what control clients type (`i` events) too: passwords included, so only if asked. */
  input: z.boolean().default(false),
  maxBytesPerRecording: positiveInt
    .min(4096, 'expected at least 4096')
    .default(DEFAULT_RECORDING.maxBytesPerRecording),
  maxTotalBytes: positiveInt.default(DEFAULT_RECORDING.maxTotalBytes),
  /** Recordings whose last write is older than this are removed; none when unset. */
  maxAgeDays: z
    .number({ error: 'expected a positive number of days' })
    .positive('expected a positive number of days')
    .optional(),
  maxQueueBytes: positiveInt.min(1024, 'expected at least 1024').default(DEFAULT_RECORDING.maxQueueBytes),
});

/** How sessions' processes are contained (docs/security.md, "Containment"). */
const containmentSchema = z.strictObject({
  /** Every session's program runs under shellgate-keeper: nothing it starts outlives it. */
  keeper: z.boolean().default(true),
  /** A cgroup v2 directory per session: 'auto' when delegated and writable, 'required' or 'off'. */
  cgroup: z.enum(['auto', 'off', 'required']).default('auto'),
  /** The cgroup v2 directory to create the gateway's own under; default: the gateway's cgroup. */
  cgroupParent: z.string().startsWith('/', 'expected an absolute path').optional(),
  /** Most processes (and threads) one session may have at once: pids.max. */
  pidsMax: positiveInt.optional(),
  /** Most memory one session may use: memory.max, in bytes. */
  memoryMaxBytes: positiveInt.min(1 << 20, 'expected at least 1048576 (1 MiB)').optional(),
});

const sharesSchema = z.strictObject({
  /** Operators may create share links to the sessions they control. */
  enabled: z.boolean().default(true),
  maxTtlSeconds: positiveInt.default(DEFAULT_SHARES.maxTtlSeconds),
  maxPerSession: positiveInt.default(DEFAULT_SHARES.maxPerSession),
});

const profileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a profile name of letters, digits, ".", "_", "-"');

export const configSchema = z
  .strictObject({
    host: z.string().min(1).default(DEFAULT_HOST),
    port: z.number().int().min(0).max(65535, 'expected a port from 0 to 65535').default(DEFAULT_PORT),
    tokens: z.array(tokenSchema).default([]),
    profiles: z.record(profileName, profileSchema).optional(),
    allowedOrigins: z.array(z.url({ error: 'expected an origin like https://host:port' })).default([]),
    allowedHosts: z.array(z.string().min(1)).default([]),
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
    limits: limitsSchema.default(limitsSchema.parse({})),
    env: z
      .strictObject({
        allow: z.array(envName).default(DEFAULT_ENV_ALLOW),
        set: envMap.default({}),
      })
      .default({ allow: DEFAULT_ENV_ALLOW, set: {} }),
    log: z
      .strictObject({
        level: z.enum(LOG_LEVELS).default('info'),
        audit: z.string().min(1).optional(),
      })
      .default({ level: 'info' }),
    webRoot: z.string().min(1).optional(),
    recording: recordingSchema.default(recordingSchema.parse({})),
    containment: containmentSchema.default(containmentSchema.parse({})),
    basePath: basePathSchema,
    trustedProxies: trustedProxiesSchema,
    auth: authSchema,
    metrics: metricsSchema,
    shares: sharesSchema.default(sharesSchema.parse({})),
    /** Fleet mode (docs/fleet.md): absent, the gateway uses no database at all. */
    fleet: fleetConfigSchema.optional(),
    /**
     * `shellgate serve` runs the relay path before it listens (warmup/). Off by default: what it
     * compiles lasts only until V8's first full collection, ~30 s after an idle start
     * (docs/operations.md, "Warm-up").
     */
    warmup: z.boolean().default(false),
  })
  .superRefine((config, ctx) => {
    if (config.limits.flowControlWindowBytes > config.limits.replayBufferBytes) {
      ctx.addIssue({
        code: 'custom',
        path: ['limits', 'flowControlWindowBytes'],
        message: 'expected at most limits.replayBufferBytes, so a reconnecting control client loses nothing',
      });
    }
    if (config.limits.maxSessionsPerToken > config.limits.maxSessions) {
      ctx.addIssue({
        code: 'custom',
        path: ['limits', 'maxSessionsPerToken'],
        message: 'expected at most limits.maxSessions',
      });
    }
    const { maxClientBacklogBytes, replayBufferBytes, flowControlWindowBytes, viewerLagBytes } =
      config.limits;
    // An honest client may have a whole replay, a window or a viewer's lag in flight at once.
    if (maxClientBacklogBytes < 2 * Math.max(replayBufferBytes, flowControlWindowBytes, viewerLagBytes)) {
      ctx.addIssue({
        code: 'custom',
        path: ['limits', 'maxClientBacklogBytes'],
        message:
          'expected at least twice the largest of limits.replayBufferBytes, limits.flowControlWindowBytes ' +
          'and limits.viewerLagBytes, so a client that reads is never cut off',
      });
    }
    const recorded = Object.entries(config.profiles ?? {}).filter(
      ([, profile]) => profile.record ?? config.recording.enabled,
    );
    if (config.recording.dir === undefined && (config.recording.enabled || recorded.length > 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['recording', 'dir'],
        message: config.recording.enabled
          ? 'expected a directory for recordings: recording.enabled is true'
          : `expected a directory for recordings: profile "${recorded[0]?.[0] ?? ''}" has "record": true`,
      });
    }
    const { containment } = config;
    if (containment.cgroup !== 'off' && !containment.keeper) {
      // The keeper is what moves a session into its cgroup before the program starts.
      ctx.addIssue({
        code: 'custom',
        path: ['containment', 'cgroup'],
        message: 'expected "off" when containment.keeper is false: the keeper joins the cgroup',
      });
    }
    for (const limit of ['pidsMax', 'memoryMaxBytes'] as const) {
      if (containment[limit] !== undefined && containment.cgroup === 'off') {
        ctx.addIssue({
          code: 'custom',
          path: ['containment', limit],
          message: 'expected containment.cgroup "auto" or "required": limits are set on the cgroup',
        });
      }
    }
    if (config.recording.maxTotalBytes < config.recording.maxBytesPerRecording) {
      ctx.addIssue({
        code: 'custom',
        path: ['recording', 'maxTotalBytes'],
        message: 'expected at least recording.maxBytesPerRecording, so that one whole recording fits',
      });
    }
    if (config.auth.proxy !== undefined && config.trustedProxies.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'proxy'],
        message: 'expected trustedProxies too: the user header is believed only from a trusted proxy',
      });
    }
    const listen = config.metrics.listen;
    if (listen !== undefined && !isLoopbackAddress(listen.host) && !config.metrics.allowNonLoopback) {
      ctx.addIssue({
        code: 'custom',
        path: ['metrics', 'listen', 'host'],
        message:
          `${JSON.stringify(listen.host)} is not a loopback address: anyone who reaches it may scrape ` +
          'the metrics; set metrics.allowNonLoopback to mean it',
      });
    }
    const seen = new Map<string, number>();
    namedTokens(config.tokens).forEach(({ name }, index) => {
      const first = seen.get(name);
      if (first === undefined) {
        seen.set(name, index);
        return;
      }
      ctx.addIssue({
        code: 'custom',
        path: ['tokens', index, 'name'],
        message:
          `duplicate token name ${JSON.stringify(name)} (tokens.${first} has it too); ` +
          'names identify tokens in sessions, logs and the audit trail',
      });
    });
  });

export type ParsedConfig = z.output<typeof configSchema>;
export type ProfileConfig = z.output<typeof profileSchema>;
export type TokenConfig = z.output<typeof tokenSchema>;
export type RecordingConfig = z.output<typeof recordingSchema>;
export type ContainmentConfig = z.output<typeof containmentSchema>;
export type SharesConfig = z.output<typeof sharesSchema>;
