import { AssociationAbortedError, type DicomError, DimseDecodeError, NetworkTimeoutError } from '../../core/errors.js';
import { AsyncQueue } from '../../core/async-queue.js';
import { type Logger, silentLogger } from '../../core/logging.js';
import { type CommandFields, encodeCommand } from '../dimse/command-set.js';
import { pdvsFor, pdvsForStream } from '../dimse/fragmenter.js';
import { commandName, isRequest, responseTo } from '../dimse/message.js';
import { encodePDataTfChunks } from '../pdu/p-data-tf.js';
import type { AsyncOperationsWindow, Pdv } from '../pdu/types.js';
import type { Indication, UpperLayer } from '../ul/upper-layer.js';
import { type DatasetSinkProvider, MessageReceiver, type ReceivedMessage } from './message-receiver.js';
import type { AcceptedContext } from './presentation-context.js';
import type { ExtendedNegotiations } from './sop-class-extended-negotiation.js';

/** What was negotiated: the parameters an association runs with. */
export interface AssociationParameters {
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly peerAddress: string;
  /** Largest P-DATA-TF the peer accepts (0 = no limit): our messages are fragmented to fit it. */
  readonly peerMaxPduLength: number;
  /** Largest P-DATA-TF we accept. */
  readonly maxPduLength: number;
  readonly peerImplementationClassUid: string | undefined;
  readonly peerImplementationVersionName: string | undefined;
  readonly contexts: ReadonlyMap<number, AcceptedContext>;
  readonly asyncOperations: AsyncOperationsWindow;
  /**
   * SOP Class Extended Negotiation (PS3.7 D.3.3.5): the Service-class-application-information of the
   * A-ASSOCIATE-AC, by SOP class UID — what the acceptor agreed to. Absent: none was negotiated.
   */
  readonly extendedNegotiations?: ExtendedNegotiations;
}

/**
 * A DIMSE message: its command and, when it has one, its dataset as received (in the context's transfer syntax),
 * or what the dataset sink made of it (`sinkResult` / `sinkError`) when it was streamed to one.
 */
export type DimseMessage = ReceivedMessage;

/** How an association ended. */
export type Outcome = 'released' | 'aborted' | 'closed';

export interface AssociationOptions {
  readonly logger?: Logger;
  /** Time to wait for each DIMSE response, in ms (default 60 s; 0 = no limit). */
  readonly dimseTimeout?: number;
  /** Close an association that has exchanged nothing for this long, in ms (0 = never). */
  readonly idleTimeout?: number;
  /** Largest dataset held in memory for one message (default 256 MiB); a larger one aborts the association. */
  readonly maxDatasetInMemory?: number;
  /** Streams received datasets to a sink instead of memory (for the commands it returns a sink for). */
  readonly datasetSink?: DatasetSinkProvider;
}

/** Stands in for an error when nobody is waiting (a clean release). */
const CLOSED = new AssociationAbortedError(2, 0, 'the association has ended');

type Pending = { readonly queue: AsyncQueue<DimseMessage>; readonly commandField: number };

/**
 * An established association (PS3.7 / PS3.8): sends DIMSE messages fragmented to the peer's maximum PDU length,
 * reassembles received ones, matches responses to requests by Message ID, and hands the peer's requests to
 * `onRequest`. Release and abort follow the state machine, including release collision.
 */
export class Association {
  readonly ul: UpperLayer;
  params: AssociationParameters;
  readonly logger: Logger;
  /** Called for every request the peer sends (C-ECHO-RQ, C-STORE-RQ, ...); its rejection aborts the association. */
  onRequest: ((message: DimseMessage, association: Association) => Promise<void> | void) | undefined;
  /** Called for a C-CANCEL-RQ with the Message ID it cancels. */
  onCancel: ((messageIdBeingRespondedTo: number) => void) | undefined;

  readonly #receiver: MessageReceiver;
  readonly #pending = new Map<number, Pending>();
  readonly #options: AssociationOptions;
  #nextMessageId = 1;
  #sendChain: Promise<void> = Promise.resolve();
  /** Corks the socket while a message's PDUs, and the messages that follow in the same turn, gather (WriteBatch). */
  readonly #batch: WriteBatch;
  #outcome: Outcome | undefined;
  #released: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  readonly #ended: Promise<Outcome>;
  #resolveEnded!: (o: Outcome) => void;
  #idleTimer: NodeJS.Timeout | undefined;
  #abortError: DicomError | undefined;
  #releaseRequestedByPeer = false;
  /** Peer requests being handled, and those waiting for a free slot of the operations window. */
  #inFlight = 0;
  readonly #backlog: DimseMessage[] = [];
  #quietWaiters: (() => void)[] = [];
  readonly #pauses = new Set<string>();

  constructor(ul: UpperLayer, params: AssociationParameters, options: AssociationOptions = {}) {
    this.ul = ul;
    this.params = params;
    this.#options = options;
    this.logger = options.logger ?? silentLogger;
    this.#batch = new WriteBatch(ul);
    this.#receiver = new MessageReceiver({
      maxDatasetLength: options.maxDatasetInMemory ?? 256 * 1024 * 1024,
      sinks: options.datasetSink,
      deliver: (message) => this.#deliver(message),
      flow: { pause: () => this.#pause('sink'), resume: () => this.#resume('sink') },
    });
    this.#ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    this.#touch();
  }

  /** Resolves when the association is over, however it ended. */
  get ended(): Promise<Outcome> {
    return this.#ended;
  }

  get outcome(): Outcome | undefined {
    return this.#outcome;
  }

  /** The accepted context for an abstract syntax (and, when given, one of these transfer syntaxes). */
  contextFor(abstractSyntax: string, transferSyntaxes?: readonly string[]): AcceptedContext | undefined {
    for (const c of this.params.contexts.values()) {
      if (c.abstractSyntax === abstractSyntax && (!transferSyntaxes || transferSyntaxes.includes(c.transferSyntax))) return c;
    }
    return undefined;
  }

  /**
   * The Service-class-application-information the A-ASSOCIATE-AC carried for a SOP class (PS3.7 D.3.3.5), or
   * undefined when none was negotiated for it: the service class's default behaviour then applies.
   */
  extendedNegotiation(sopClassUid: string): Uint8Array | undefined {
    return this.params.extendedNegotiations?.get(sopClassUid);
  }

  newMessageId(): number {
    const id = this.#nextMessageId;
    this.#nextMessageId = id >= 0xffff ? 1 : id + 1;
    return id;
  }

  // -- Sending ------------------------------------------------------------------------------------------------------

  /**
   * Sends one message. Messages are sent one after another (never interleaved); each is fragmented into PDVs no
   * larger than the peer accepts, and the socket's back-pressure is honoured so a large dataset streams.
   */
  send(contextId: number, command: CommandFields, dataset?: Uint8Array | AsyncIterable<Uint8Array>, options: SendOptions = {}): Promise<void> {
    const run = async (): Promise<void> => {
      this.#assertOpen();
      const max = this.params.peerMaxPduLength;
      this.logger.debug({ contextId, command: commandName(command.commandField), messageId: command.messageId ?? command.messageIdBeingRespondedTo }, 'send');
      // The command and its dataset go out in the same batches of PDUs, and a message that says more follow (a
      // pending response) waits for them until the end of the turn of the event loop: the pending responses of a
      // C-FIND share batches. Any other message leaves at once, with whatever waited before it.
      const batch = this.#batch;
      try {
        await this.#writePdvs(batch, pdvsFor(contextId, true, encodeCommand({ ...command, hasDataset: dataset !== undefined }), max));
        if (dataset instanceof Uint8Array) await this.#writePdvs(batch, pdvsFor(contextId, false, dataset, max));
        else if (dataset !== undefined) await this.#writePdvs(batch, pdvsForStream(contextId, false, dataset, max));
        await batch.endOfMessage(options.moreFollows === true);
      } catch (error) {
        batch.end();
        throw error;
      }
      this.#touch();
    };
    const result = this.#sendChain.then(run, run);
    this.#sendChain = result.catch(() => undefined);
    return result;
  }

  async #writePdvs(batch: WriteBatch, pdvs: Iterable<Pdv> | AsyncIterable<Pdv>): Promise<void> {
    for await (const pdv of pdvs) {
      this.#assertOpen();
      await batch.write(encodePDataTfChunks(pdv.contextId, pdv.isCommand, pdv.isLast, pdv.data), pdv.data.length);
    }
  }

  /**
   * Sends a request and yields its responses: pending ones (C-FIND, C-GET, C-MOVE) and then the final one.
   * The Message ID is assigned here when the command has none.
   */
  async *request(contextId: number, command: CommandFields, dataset?: Uint8Array | AsyncIterable<Uint8Array>): AsyncIterable<DimseMessage> {
    const messageId = command.messageId ?? this.newMessageId();
    const queue = new AsyncQueue<DimseMessage>();
    this.#pending.set(messageId, { queue, commandField: command.commandField });
    try {
      await this.send(contextId, { ...command, messageId }, dataset);
      for (;;) {
        const next = await this.#withTimeout(queue.next(), command.commandField);
        if (next.done) return;
        const status = next.value.command.status ?? 0;
        yield next.value;
        if (status !== 0xff00 && status !== 0xff01) return;
      }
    } finally {
      this.#pending.delete(messageId);
    }
  }

  /** Sends a request and returns its final response. */
  async requestOne(contextId: number, command: CommandFields, dataset?: Uint8Array | AsyncIterable<Uint8Array>): Promise<DimseMessage> {
    let last: DimseMessage | undefined;
    for await (const r of this.request(contextId, command, dataset)) last = r;
    if (!last) throw this.#abortError ?? new AssociationAbortedError(2, 0, 'the association ended before a response came');
    return last;
  }

  async #withTimeout<T>(promise: Promise<T>, commandField: number): Promise<T> {
    const ms = this.#options.dimseTimeout ?? 60_000;
    if (ms <= 0) return promise;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const peer = `${this.params.calledAeTitle}@${this.params.peerAddress}`;
      timer = setTimeout(() => reject(new NetworkTimeoutError(`${peer}: no response to ${commandName(commandField)} within ${ms / 1000} s`)), ms);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // -- Receiving ----------------------------------------------------------------------------------------------------

  /** Called by the owner for every Upper Layer indication once the association is established. */
  handleIndication(indication: Indication): void {
    try {
      this.#indication(indication);
    } catch (error) {
      // A message that cannot be assembled or decoded: the peer broke the protocol.
      this.#protocolError(error as Error, 0);
    }
  }

  #indication(indication: Indication): void {
    switch (indication.kind) {
      case 'p-data':
        this.#touch();
        for (const pdv of indication.pdu.pdvs) {
          if (!this.params.contexts.has(pdv.contextId)) {
            // PS3.8: a PDV must name an accepted presentation context; otherwise the PDU is invalid (reason 6).
            this.#protocolError(new DimseDecodeError(`a PDV for presentation context ${pdv.contextId}, which was not accepted`), 6);
            return;
          }
          this.#receiver.push(pdv);
        }
        return;
      case 'release-rq':
        this.#releaseRequestedByPeer = true;
        // Answer once every request already received has been answered (the acceptor may still send in Sta8, AR-7).
        // The acceptor side of a release collision first waits for the peer's A-RELEASE-RP (Sta10 → AR-10 → Sta12).
        if (!indication.collision || this.ul.requestor) {
          void this.#whenQuiet().then(() => {
            if (this.ul.state === 'Sta8' || this.ul.state === 'Sta9') this.ul.releaseResponse();
          });
        }
        return;
      case 'release-rp':
        if (this.ul.state === 'Sta12') this.ul.releaseResponse();
        this.#finish('released');
        return;
      case 'abort':
        this.#abortError ??= new AssociationAbortedError(
          indication.source,
          indication.reason,
          indication.local ? 'the association was aborted' : `${this.#peer()}: the peer aborted the association (source ${indication.source}, reason ${indication.reason})`,
        );
        this.#finish('aborted');
        return;
      case 'closed':
        this.#finish(this.#releaseRequestedByPeer ? 'released' : this.#outcome ?? 'closed');
        return;
      default:
        return;
    }
  }

  #peer(): string {
    return this.ul.requestor ? `${this.params.calledAeTitle}@${this.params.peerAddress}` : `${this.params.callingAeTitle}@${this.params.peerAddress}`;
  }

  /** The peer broke the protocol: the provider aborts (source 2) and every waiting caller learns why. */
  #protocolError(error: Error, reason: 0 | 2 | 6): void {
    if (this.#outcome) return;
    this.logger.warn({ err: error.message }, 'aborting: protocol error');
    this.#abortError = new AssociationAbortedError(2, reason, `${this.#peer()}: aborted: ${error.message}`);
    this.ul.protocolError(reason);
    this.#finish('aborted');
  }

  #deliver(message: DimseMessage): void {
    try {
      this.#onMessage(message);
    } catch (error) {
      this.#protocolError(error as Error, 0);
    }
  }

  #onMessage(message: DimseMessage): void {
    const field = message.command.commandField;
    if (field === 0x0fff) {
      this.onCancel?.(message.command.messageIdBeingRespondedTo ?? -1);
      return;
    }
    if (isRequest(field)) {
      if (!this.onRequest) throw new DimseDecodeError(`unexpected ${commandName(field)}: this side takes no requests`);
      if (this.#inFlight < this.#window()) this.#runRequest(message);
      else {
        // More requests than the negotiated operations window (PS3.7 D.3.3.3): hold them and stop reading.
        this.#backlog.push(message);
        this.#pause('window');
      }
      return;
    }
    const pending = this.#pending.get(message.command.messageIdBeingRespondedTo ?? -1);
    if (!pending) throw new DimseDecodeError(`a ${commandName(field)} for message ${message.command.messageIdBeingRespondedTo}, which is not outstanding`);
    if (field !== responseTo(pending.commandField)) {
      throw new DimseDecodeError(`a ${commandName(field)} in answer to a ${commandName(pending.commandField)}`);
    }
    pending.queue.push(message);
  }

  /** How many of the peer's requests we perform at once: the negotiated window, 0 (unlimited) capped at 64. */
  #window(): number {
    const w = this.params.asyncOperations;
    const n = this.ul.requestor ? w.maxOperationsInvoked : w.maxOperationsPerformed;
    return n === 0 ? 64 : Math.min(n, 64);
  }

  #runRequest(message: DimseMessage): void {
    this.#inFlight++;
    const handler = this.onRequest!;
    Promise.resolve()
      .then(() => handler(message, this))
      .catch((error: unknown) => {
        this.logger.warn({ err: (error as Error)?.message }, 'aborting: request handler failed');
        this.abort();
      })
      .finally(() => {
        this.#inFlight--;
        const next = this.#backlog.shift();
        if (next && !this.#outcome) this.#runRequest(next);
        if (this.#backlog.length === 0) this.#resume('window');
        if (this.#inFlight === 0 && this.#backlog.length === 0) {
          const waiters = this.#quietWaiters;
          this.#quietWaiters = [];
          for (const w of waiters) w();
        }
      });
  }

  /** Resolves once every request received so far has been handled and its responses sent. */
  async #whenQuiet(): Promise<void> {
    await this.#receiver.settled();
    if (this.#inFlight > 0 || this.#backlog.length > 0) await new Promise<void>((resolve) => this.#quietWaiters.push(resolve));
    await this.#sendChain;
  }

  #pause(reason: string): void {
    if (this.#pauses.size === 0) this.ul.pause();
    this.#pauses.add(reason);
  }

  #resume(reason: string): void {
    if (!this.#pauses.delete(reason)) return;
    if (this.#pauses.size === 0) this.ul.resume();
  }

  // -- Release and abort ------------------------------------------------------------------------------------------

  /** A-RELEASE: waits for messages being sent, then releases and waits for the peer's reply. */
  async release(): Promise<void> {
    await this.#sendChain;
    if (this.#outcome) return;
    const done = new Promise<void>((resolve, reject) => (this.#released = { resolve, reject }));
    this.ul.release();
    await done;
  }

  /** A-ABORT (service-user). `cause` is what callers still waiting for responses are told. */
  abort(cause?: Error): void {
    if (this.#outcome) return;
    if (cause) this.#abortError = new AssociationAbortedError(0, 0, `the association was aborted: ${cause.message}`);
    this.ul.abort();
    this.#finish('aborted');
  }

  #finish(outcome: Outcome): void {
    if (this.#outcome) {
      if (outcome === 'released' && this.#outcome === 'closed') this.#outcome = outcome;
      return;
    }
    this.#outcome = outcome;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    // An error (and its stack) is only built when someone is still waiting for something.
    const needsError = this.#pending.size > 0 || (this.#released !== undefined && outcome !== 'released') || this.#receiver.busy;
    const error = needsError ? (this.#abortError ?? new AssociationAbortedError(2, 0, `the association ended (${outcome}) with responses outstanding`)) : CLOSED;
    this.#receiver.abandon(error);
    const waiters = this.#quietWaiters;
    this.#quietWaiters = [];
    for (const w of waiters) w();
    for (const p of this.#pending.values()) p.queue.fail(error);
    if (this.#released) {
      if (outcome === 'released') this.#released.resolve();
      else this.#released.reject(error);
    }
    this.#resolveEnded(outcome);
  }

  #assertOpen(): void {
    if (this.#outcome) throw this.#abortError ?? new AssociationAbortedError(2, 0, `the association is ${this.#outcome}`);
  }

  #touch(): void {
    const ms = this.#options.idleTimeout ?? 0;
    if (ms <= 0 || this.#outcome) return;
    if (this.#idleTimer) this.#idleTimer.refresh();
    else {
      this.#idleTimer = setTimeout(() => {
        this.logger.info({ idleSeconds: ms / 1000 }, 'aborting an idle association');
        this.abort();
      }, ms);
      this.#idleTimer.unref?.();
    }
  }
}

export interface SendOptions {
  /**
   * More messages follow at once (a pending C-FIND, C-GET or C-MOVE response): this one may wait for them, until
   * the end of the current turn of the event loop, to share their system call. Requests and final responses leave
   * at once: the peer is waiting for them.
   */
  readonly moreFollows?: boolean;
}

/** Bytes of PDUs gathered (socket corked) before they are handed to the kernel in one writev. */
const BATCH_BYTES = 256 * 1024;

/**
 * The PDUs of the messages sent, written in batches: the socket stays corked while up to BATCH_BYTES gather (PDUs are
 * often 16 KiB, the DCMTK default, so a 0.5 MB instance would otherwise cost 32 system calls), then it is uncorked
 * and, if the peer is slow, drained before the next batch. A message after which more follow (SendOptions) is handed
 * to the kernel at the end of the current turn of the event loop (setImmediate), not at once: the next ones produced
 * in the same turn (the pending responses of a C-FIND, a few hundred bytes each) join it, one writev for a hundred
 * responses instead of one each; the message that ends the run (the final response) takes them all out at once. A
 * peer that stops reading still stops us: past BATCH_BYTES, or when the socket holds more than it should, the
 * message's end waits for the drain.
 */
class WriteBatch {
  #bytes = 0;
  #corked = false;
  #scheduled = false;

  constructor(private readonly ul: UpperLayer) {}

  async write(chunks: readonly Uint8Array[], bytes: number): Promise<void> {
    if (!this.#corked) {
      this.ul.cork();
      this.#corked = true;
    }
    this.ul.sendDataChunks(chunks);
    this.#bytes += bytes;
    if (this.#bytes >= BATCH_BYTES) await this.flush();
  }

  /** A message is complete: send it now (and drain), or, when more follow, at the end of this turn. */
  async endOfMessage(moreFollow: boolean): Promise<void> {
    if (!moreFollow || this.ul.needsDrain) {
      await this.flush();
      return;
    }
    if (this.#scheduled || !this.#corked) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.end();
    });
  }

  /** Sends what is gathered and waits while the socket holds more than it should (a peer that does not read). */
  async flush(): Promise<void> {
    this.end();
    await this.ul.drain();
  }

  /** Sends what is gathered. */
  end(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#bytes = 0;
    this.ul.uncork();
  }
}
