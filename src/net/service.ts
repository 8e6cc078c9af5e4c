import type { Logger } from '../core/logging.js';
import type { Association, DimseMessage } from './acse/association.js';
import type { DatasetSink } from './acse/message-receiver.js';
import type { CommandFields } from './dimse/command-set.js';

/** What an SCP handler gets besides the request. */
export interface ScpContext {
  readonly association: Association;
  readonly contextId: number;
  readonly abstractSyntax: string;
  readonly transferSyntax: string;
  /** Aborted on C-CANCEL, when the association ends, and on server shutdown. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** Where a dataset being received comes from: the association and its presentation context. */
export interface SinkContext {
  readonly association: Association;
  readonly contextId: number;
  readonly abstractSyntax: string;
  readonly transferSyntax: string;
}

/** One response of an SCP handler: the status, optional extra command fields, optional dataset bytes. */
export interface ScpResponse {
  readonly status: number;
  readonly fields?: Partial<CommandFields>;
  readonly dataset?: Uint8Array;
}

/**
 * A service an SCP offers (Orthanc's IStoreRequestHandler, pynetdicom's handlers): the SOP classes and transfer
 * syntaxes it accepts, and a handler that answers with one response (Promise) or several (AsyncIterable: pending
 * responses, then the final one). A handler that throws gets the service's failure status, not an abort.
 */
export interface ScpService {
  readonly name: string;
  readonly sopClasses: readonly string[];
  /** The request Command Fields it handles (e.g. [0x0030] C-ECHO-RQ); others get 0x0211 unrecognized operation. */
  readonly commands: readonly number[];
  /** Streams the datasets of its requests to a sink (C-STORE to a temporary file) instead of memory. */
  readonly datasetSink?: (command: CommandFields, context: SinkContext) => DatasetSink | undefined;
  /** In preference order. */
  readonly transferSyntaxes: readonly string[];
  /** SCP/SCU role selection: may the requestor act as SCP for this SOP class (C-GET storage sub-operations)? */
  readonly allowsRequestorScp?: boolean;
  /**
   * SOP Class Extended Negotiation (PS3.7 D.3.3.5): given the Service-class-application-information a requestor
   * sent for one of our SOP classes, the answer for the A-ASSOCIATE-AC (undefined: no sub-item for it, the
   * default behaviour). Called only for SOP classes accepted on the association, once each; handlers read the
   * result with `context.association.extendedNegotiation(sopClassUid)`. `requested` comes from the network.
   */
  readonly extendedNegotiation?: (sopClassUid: string, requested: Uint8Array) => Uint8Array | undefined;
  /** The status sent when the handler throws (default 0x0110 processing failure). */
  readonly failureStatus?: number;
  handle(request: DimseMessage, context: ScpContext): Promise<ScpResponse> | AsyncIterable<ScpResponse>;
}
