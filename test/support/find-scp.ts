/**
 * An in-process C-FIND SCP for the FIND and worklist SCU tests: `listen()` on 127.0.0.1 with a scripted handler
 * that gets each request's Identifier decoded and answers with whatever responses the test wants (statuses,
 * Identifiers in any character set, broken bytes, no final response).
 */
import { Dataset } from '../../src/data/dataset.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { type DicomServer, listen, type Peer } from '../../src/net/ae.js';
import type { ScpResponse, ScpService } from '../../src/net/service.js';
import { decodeIdentifier } from '../../src/services/query-retrieve/scu-find-identifier.js';
import { VerificationSOPClass } from '../../src/services/verification/uids.js';

export interface FindRequestSeen {
  readonly identifier: Dataset;
  readonly sopClassUid: string;
  readonly transferSyntax: string;
  readonly priority: number | undefined;
}

export interface FindScriptContext extends FindRequestSeen {
  /** Aborted when the SCU sends C-CANCEL (or the association ends). */
  readonly signal: AbortSignal;
  /** An Identifier's bytes in the request's transfer syntax. */
  encode(dataset: Dataset): Uint8Array;
}

export type FindScript = (context: FindScriptContext) => AsyncIterable<ScpResponse> | Promise<ScpResponse>;

export interface FindScp {
  readonly server: DicomServer;
  readonly peer: Peer;
  /** Every C-FIND request received, in order. */
  readonly requests: FindRequestSeen[];
  /** Requests whose signal was aborted by a C-CANCEL while the handler ran. */
  readonly cancelled: number[];
  close(): Promise<void>;
}

/** A dataset from keyword → value pairs (`null` = empty). */
export function dataset(entries: Record<string, string | readonly string[] | null | readonly Dataset[]>): Dataset {
  const ds = new Dataset();
  for (const [key, value] of Object.entries(entries)) ds.set(key, value as string | null);
  return ds;
}

/** Starts the SCP for `sopClasses` (plus Verification), in Explicit and Implicit VR Little Endian. */
export async function startFindScp(sopClasses: readonly string[], script: FindScript, aeTitle = 'FINDSCP'): Promise<FindScp> {
  const requests: FindRequestSeen[] = [];
  const cancelled: number[] = [];
  const find: ScpService = {
    name: 'test C-FIND',
    sopClasses,
    commands: [0x0020],
    transferSyntaxes: [ExplicitVRLittleEndian, ImplicitVRLittleEndian],
    handle: (request, context) => {
      const seen: FindRequestSeen = {
        identifier: decodeIdentifier(request.dataset!, context.transferSyntax),
        sopClassUid: request.command.affectedSopClassUid ?? '',
        transferSyntax: context.transferSyntax,
        priority: request.command.priority,
      };
      const index = requests.push(seen) - 1;
      context.signal.addEventListener('abort', () => cancelled.push(index), { once: true });
      return script({ ...seen, signal: context.signal, encode: (ds) => writeDicom(ds, { transferSyntax: context.transferSyntax, part10: false }) });
    },
  };
  const verification: ScpService = {
    name: 'Verification',
    sopClasses: [VerificationSOPClass],
    commands: [0x0030],
    transferSyntaxes: [ImplicitVRLittleEndian],
    handle: async () => ({ status: 0 }),
  };
  const server = await listen({ aeTitle, port: 0, host: '127.0.0.1', services: [find, verification], checkCalledAeTitle: false });
  return {
    server,
    peer: { aeTitle, host: '127.0.0.1', port: server.port },
    requests,
    cancelled,
    close: () => server.close(500),
  };
}

/** A pending response carrying `match`. */
export const pending = (context: FindScriptContext, match: Dataset, status = 0xff00): ScpResponse => ({ status, dataset: context.encode(match) });

/** Resolves after `ms`, or at once when `signal` aborts. */
export const pause = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
