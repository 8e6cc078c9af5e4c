/**
 * `portico.yaml` (DESIGN.md: one config file, validated with zod): our AE, the remote AEs by name, and the server's
 * storage, query and network settings. Every key is optional and has the default the command line has; a command
 * line flag given overrides the file. Unknown keys are errors (a misspelt key must not be silently ignored).
 *
 * ```yaml
 * aet: PORTICO
 * port: 11112
 * dir: ./portico-data
 * remotes:
 *   PACS: { aet: PACS, host: pacs.example.org, port: 104 }
 *   VIEWER: VIEWER@10.0.0.7:11112
 * storage: { duplicates: keep-first, reserveMb: 512, acceptAllStorage: false }
 * query: { maxMatches: 1000, relational: false }
 * network: { maxAssociations: 100, maxPdu: 65536, checkCalledAet: true, allow: [CT1, MR1@10.0.0.9], artimTimeout: 30, idleTimeout: 300 }
 * ```
 */
import { z } from 'zod';
import { parsePeer } from '../net/ae.js';
import { REMOTE_NAME } from './remotes.js';

/** PS3.5 AE: 1–16 characters of the default repertoire, no backslash or control characters, not only spaces. */
const aeTitle = z
  .string()
  .min(1)
  .max(16)
  .refine((t) => !/[\\\x00-\x1f]/.test(t) && t.trim() !== '', 'an AE title has 1-16 characters, no backslash or control characters');

const port = z.number().int().min(1).max(65535);
const positive = z.number().int().min(1);
const seconds = z.number().positive();

/** A remote AE: `{ aet, host, port }`, or the short form `AET@host:port`. */
const remote = z.union(
  [
    z.strictObject({ aet: aeTitle, host: z.string().min(1), port }),
    z.string().transform((text, ctx): { aet: string; host: string; port: number } => {
      const peer = parsePeer(text);
      if (peer === undefined) {
        ctx.addIssue({ code: 'custom', message: `'${text}' is not AET@host:port` });
        return z.NEVER;
      }
      return { aet: peer.aeTitle, host: peer.host, port: peer.port };
    }),
  ],
  { error: 'a remote is { aet, host, port } or AET@host:port' },
);

/** A remote's name on the command line (`portico store PACS file.dcm`): no `@`, no spaces, not a path. */
const remoteName = z.string().regex(REMOTE_NAME, 'a remote name has 1-64 letters, digits, _ . or -');

export const configSchema = z.strictObject({
  aet: aeTitle.optional(),
  port: port.optional(),
  host: z.string().min(1).optional(),
  dir: z.string().min(1).optional(),
  remotes: z.record(remoteName, remote).optional(),
  storage: z
    .strictObject({
      duplicates: z.enum(['keep-first', 'overwrite']).optional(),
      reserveMb: positive.optional(),
      acceptAllStorage: z.boolean().optional(),
    })
    .optional(),
  query: z.strictObject({ maxMatches: positive.optional(), relational: z.boolean().optional() }).optional(),
  network: z
    .strictObject({
      maxAssociations: positive.optional(),
      maxPdu: positive.optional(),
      checkCalledAet: z.boolean().optional(),
      allow: z.array(z.string().min(1)).optional(),
      artimTimeout: seconds.optional(),
      idleTimeout: seconds.optional(),
    })
    .optional(),
});

export type PorticoConfig = z.infer<typeof configSchema>;
