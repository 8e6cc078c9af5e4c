import { createServer, type Server, type Socket } from 'node:net';
import { type Logger, silentLogger } from '../core/logging.js';
import { acceptAssociation, type AcceptorPolicy } from './acse/acceptor.js';
import type { Association, DimseMessage, Outcome } from './acse/association.js';
import type { DatasetSink } from './acse/message-receiver.js';
import { Reject } from './acse/constants.js';
import type { SupportedSyntaxes } from './acse/presentation-context.js';
import { type RequestAssociationOptions, requestAssociation } from './acse/requestor.js';
import type { CommandFields } from './dimse/command-set.js';
import { commandName, responseTo } from './dimse/message.js';
import type { ScpContext, ScpResponse, ScpService } from './service.js';
import { type EchoResult, echo } from '../services/verification/scu.js';

/** A remote AE: `AET@host:port`. */
export interface Peer {
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
}

/** Parses `AET@host:port` (IPv6 as `AET@[::1]:104`). Returns undefined when it is not that form. */
export function parsePeer(text: string): Peer | undefined {
  const m = /^([^@]{1,16})@(\[[^\]]+\]|[^:@]+):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { aeTitle: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

export type ConnectOptions = Omit<RequestAssociationOptions, 'host' | 'port' | 'calledAeTitle' | 'callingAeTitle'> & {
  /** Our AE title (default PORTICO). */
  readonly aeTitle?: string;
};

/** An SCU's association: the generic request methods, release/abort, and `echo()`. */
export interface ClientAssociation extends Association {
  /** C-ECHO on the Verification context (which must have been proposed and accepted). */
  echo(): Promise<EchoResult>;
}

/** Opens an association with a peer (the SCU side). */
export async function connect(peer: Peer, options: ConnectOptions): Promise<ClientAssociation> {
  const association = await requestAssociation({ ...options, host: peer.host, port: peer.port, calledAeTitle: peer.aeTitle, callingAeTitle: options.aeTitle ?? 'PORTICO' });
  return Object.assign(association, { echo: () => echo(association) });
}

export interface ListenOptions {
  readonly aeTitle: string;
  readonly port: number;
  readonly host?: string;
  readonly services: readonly ScpService[];
  /** Associations at once (default 100); one more is rejected with local-limit-exceeded. */
  readonly maxAssociations?: number;
  readonly checkCalledAeTitle?: boolean;
  readonly allowedCallingAeTitles?: AcceptorPolicy['allowedCallingAeTitles'];
  readonly maxPduLength?: number;
  readonly artimTimeout?: number;
  readonly dimseTimeout?: number;
  readonly idleTimeout?: number;
  /** Largest dataset of one request held in memory for services without a dataset sink (default 64 MiB). */
  readonly maxDatasetInMemory?: number;
  /**
   * The service for abstract syntaxes no service lists, when `accepts` says so (`portico serve --accept-all-storage`:
   * the Storage SCP for SOP classes this build does not know, as storescp's promiscuous mode). A proposed context
   * for any other unlisted abstract syntax is rejected (abstract syntax not supported), as without it.
   */
  readonly otherSopClasses?: { readonly service: ScpService; readonly accepts: (abstractSyntax: string) => boolean };
  readonly logger?: Logger;
}

/** One line per association for the log: who, from where, what was accepted, how long, how it ended. */
export interface AssociationRecord {
  readonly callingAeTitle: string | undefined;
  readonly calledAeTitle: string | undefined;
  readonly peer: string;
  readonly contexts: readonly string[];
  readonly durationMs: number;
  readonly outcome: Outcome | 'rejected' | 'failed';
  readonly detail?: string;
  readonly requests: number;
}

/** A running SCP: `close()` stops listening, lets open associations finish (up to `graceMs`), then aborts the rest. */
export interface DicomServer {
  readonly port: number;
  readonly active: number;
  close(graceMs?: number): Promise<void>;
  /** Every finished association, in order (also logged). */
  onAssociation: ((record: AssociationRecord) => void) | undefined;
}

/** Starts an SCP on a TCP port. */
export async function listen(options: ListenOptions): Promise<DicomServer> {
  const logger = options.logger ?? silentLogger;
  const listed = new Map<string, ScpService>();
  for (const s of options.services) for (const sop of s.sopClasses) listed.set(sop, s);
  const others = options.otherSopClasses;
  /** The service of an abstract syntax: the one that lists it, else the one for the others if it takes it. */
  const serviceBySop: ServiceLookup = {
    get: (sop) => listed.get(sop) ?? (others !== undefined && others.accepts(sop) ? others.service : undefined),
  };
  const supported: SupportedSyntaxes = { get: (sop) => serviceBySop.get(sop)?.transferSyntaxes };
  /** Each SOP class's extended negotiation is answered by the service that accepted it, when it has the hook. */
  const extendedNegotiation = (sopClassUid: string, requested: Uint8Array): Uint8Array | undefined =>
    serviceBySop.get(sopClassUid)?.extendedNegotiation?.(sopClassUid, requested);
  const sockets = new Set<Socket>();
  const associations = new Set<Association>();
  const shutdown = new AbortController();
  /** Every running handler's controller: aborted on C-CANCEL, at the association's end, and at shutdown. */
  const handlers = new Set<AbortController>();
  /** Datasets of requests no service takes are read and dropped, never held. */
  const datasetSink = (contextId: number, command: CommandFields, association: Association): DatasetSink | undefined => {
    const context = association.params.contexts.get(contextId);
    const service = context && serviceBySop.get(context.abstractSyntax);
    if (!service || !service.commands.includes(command.commandField)) return DISCARD;
    return service.datasetSink?.(command, { association, contextId, abstractSyntax: context.abstractSyntax, transferSyntax: context.transferSyntax });
  };
  let connections = 0;
  const maxAssociations = options.maxAssociations ?? 100;

  const server: Server = createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    connections++;
    socket.once('close', () => {
      sockets.delete(socket);
      connections--;
    });
    const started = Date.now();
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    let current: Association | undefined;
    const policy: AcceptorPolicy = {
      aeTitle: options.aeTitle,
      supported,
      extendedNegotiation,
      checkCalledAeTitle: options.checkCalledAeTitle,
      allowedCallingAeTitles: options.allowedCallingAeTitles,
      maxPduLength: options.maxPduLength,
      artimTimeout: options.artimTimeout,
      dimseTimeout: options.dimseTimeout,
      idleTimeout: options.idleTimeout,
      maxDatasetInMemory: options.maxDatasetInMemory ?? 64 * 1024 * 1024,
      datasetSink: (contextId, command) => (current ? datasetSink(contextId, command, current) : DISCARD),
      // A child logger per connection only pays off when transitions are logged (--verbose).
      logger: logger.isLevelEnabled?.('debug') ? logger.child({ peer }) : logger,
      ...(connections > maxAssociations || shutdown.signal.aborted ? { rejectAll: Reject.LOCAL_LIMIT_EXCEEDED } : {}),
    };
    void acceptAssociation(socket, policy).then((result) => {
      if (!('ul' in result)) {
        record({ callingAeTitle: result.rq?.callingAeTitle, calledAeTitle: result.rq?.calledAeTitle, peer, contexts: [], durationMs: Date.now() - started, outcome: result.reason.startsWith('rejected') ? 'rejected' : 'failed', detail: result.reason, requests: 0 });
        return;
      }
      const association = result;
      current = association;
      associations.add(association);
      let requests = 0;
      const running = new Map<number, AbortController>();
      association.onCancel = (id) => running.get(id)?.abort();
      association.onRequest = async (message) => {
        requests++;
        await serve(association, message, serviceBySop, running, handlers, logger);
      };
      void association.ended.then((outcome) => {
        associations.delete(association);
        for (const c of running.values()) c.abort();
        const p = association.params;
        record({
          callingAeTitle: p.callingAeTitle,
          calledAeTitle: p.calledAeTitle,
          peer,
          contexts: [...p.contexts.values()].map((c) => c.abstractSyntax),
          durationMs: Date.now() - started,
          outcome,
          requests,
        });
      });
    });
  });

  const api: DicomServer = {
    port: options.port,
    get active() {
      return associations.size;
    },
    onAssociation: undefined,
    close: async (graceMs = 10_000) => {
      shutdown.abort();
      for (const c of handlers) c.abort();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const deadline = Date.now() + graceMs;
      while (associations.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const a of associations) a.abort();
      for (const s of sockets) s.destroy();
      await stopped;
    },
  };
  const record = (r: AssociationRecord): void => {
    logger.info(
      { contexts: r.contexts.length, requests: r.requests, ms: r.durationMs, ...(r.detail ? { detail: r.detail } : {}) },
      `association ${r.callingAeTitle ?? '?'} → ${r.calledAeTitle ?? '?'} from ${r.peer}: ${r.outcome}`,
    );
    api.onAssociation?.(r);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return Object.assign(api, { port: typeof address === 'object' && address ? address.port : options.port });
}

/** The service for an abstract syntax (see listen). */
interface ServiceLookup {
  get(abstractSyntax: string): ScpService | undefined;
}

/** Runs one request through its service and sends the response(s); a throwing handler yields a failure status. */
async function serve(
  association: Association,
  message: DimseMessage,
  serviceBySop: ServiceLookup,
  running: Map<number, AbortController>,
  handlers: Set<AbortController>,
  logger: Logger,
): Promise<void> {
  const context = association.params.contexts.get(message.contextId)!;
  const service = serviceBySop.get(context.abstractSyntax);
  const request = message.command;
  const messageId = request.messageId ?? 0;
  const respond = (r: ScpResponse): Promise<void> => {
    const fields: CommandFields = {
      commandField: responseTo(request.commandField),
      messageIdBeingRespondedTo: messageId,
      affectedSopClassUid: request.affectedSopClassUid ?? request.requestedSopClassUid ?? context.abstractSyntax,
      ...(request.affectedSopInstanceUid ? { affectedSopInstanceUid: request.affectedSopInstanceUid } : {}),
      ...r.fields,
      status: r.status,
      hasDataset: r.dataset !== undefined,
    };
    // A pending response is followed by more: it may share their write batch (Association.send).
    return association.send(message.contextId, fields, r.dataset, { moreFollows: r.status === 0xff00 || r.status === 0xff01 });
  };
  if (!service || !service.commands.includes(request.commandField)) {
    // PS3.7 C: 0x0211 unrecognized operation: no service here performs this operation on this SOP class.
    await respond({ status: 0x0211, fields: { errorComment: `${commandName(request.commandField)} is not supported for this SOP class` } });
    return;
  }
  const controller = new AbortController();
  handlers.add(controller);
  running.set(messageId, controller);
  const scpContext: ScpContext = {
    association,
    contextId: message.contextId,
    abstractSyntax: context.abstractSyntax,
    transferSyntax: context.transferSyntax,
    signal: controller.signal,
    logger,
  };
  try {
    const result = service.handle(message, scpContext);
    if (isAsyncIterable(result)) for await (const r of result) await respond(r);
    else await respond(await result);
  } catch (error) {
    logger.warn({ err: (error as Error)?.message, request: commandName(request.commandField) }, 'handler failed');
    const comment = String((error as Error)?.message ?? error).slice(0, 64);
    await respond({ status: service.failureStatus ?? 0x0110, fields: { errorComment: comment } });
  } finally {
    running.delete(messageId);
    handlers.delete(controller);
  }
}

/** A sink that reads and forgets: the dataset of a request that will be refused. */
const DISCARD: DatasetSink = { write: () => undefined, end: async () => undefined, abort: () => undefined };

const isAsyncIterable = (x: unknown): x is AsyncIterable<ScpResponse> =>
  typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
