// The `fleet` section of the configuration (docs/fleet.md, docs/configuration.md). Secrets — the
// database connection string may carry a password, the node secret signs principals — come from a
// file or the environment, and are read only when the fleet starts; they are never logged.
import { nodeNameSchema } from '@shellgate/shared';
import { z } from 'zod';

/** A node whose lease was not renewed for this long is gone (its sessions are `lost`). */
const DEFAULT_LEASE_SECONDS = 15;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

export const fleetConfigSchema = z
  .strictObject({
    /** PostgreSQL connection string (`postgres://user:password@host:5432/db`). */
    database: z.string().min(1).optional(),
    /** …or a file holding it (first line), */
    databaseFile: z.string().min(1).optional(),
    /** …or an environment variable holding it. */
    databaseEnv: envName.optional(),
    /** This gateway's name in the fleet: unique, stable across restarts (a restart rejoins). */
    node: nodeNameSchema,
    /** Where the other nodes reach this one (`http://10.0.0.5:8022`); default: the bound address. */
    url: z.url({ error: 'expected a URL like http://host:port' }).optional(),
    /** A file holding the node secret every node of the fleet shares (at least 32 characters), */
    secretFile: z.string().min(1).optional(),
    /** …or an environment variable holding it. */
    secretEnv: envName.optional(),
    leaseSeconds: z
      .number({ error: 'expected a number of seconds from 1 to 3600' })
      .min(1, 'expected a number of seconds from 1 to 3600')
      .max(3600, 'expected a number of seconds from 1 to 3600')
      .default(DEFAULT_LEASE_SECONDS),
  })
  .superRefine((fleet, ctx) => {
    const databases = [fleet.database, fleet.databaseFile, fleet.databaseEnv].filter((v) => v !== undefined);
    if (databases.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['database'],
        message: 'expected exactly one of "database", "databaseFile" and "databaseEnv"',
      });
    }
    if ((fleet.secretFile === undefined) === (fleet.secretEnv === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretFile'],
        message: 'expected exactly one of "secretFile" and "secretEnv" (the node secret is never inline)',
      });
    }
  });

export type FleetConfig = z.output<typeof fleetConfigSchema>;
