import type { Socket } from 'node:net';
import { PduDecodeError, StateMachineError } from '../../core/errors.js';
import type { AAbort, AAssociateAc, AAssociateRj, AAssociateRq, Pdu, PduLimits, PDataTf } from '../pdu/types.js';
import { PduType } from '../pdu/types.js';
import { encodePdu } from '../pdu/pdu-codec.js';
import { PduReader } from '../pdu/pdu-reader.js';
import { ACTIONS, type ActionId, type FsmEvent, type State, TRANSITIONS } from './state-table.js';

/** What the Upper Layer tells its user (the ACSE), PS3.8 §7: indications and confirmations. */
export type Indication =
  | { readonly kind: 'associate-rq'; readonly pdu: AAssociateRq }
  | { readonly kind: 'associate-ac'; readonly pdu: AAssociateAc }
  | { readonly kind: 'associate-rj'; readonly pdu: AAssociateRj }
  | { readonly kind: 'p-data'; readonly pdu: PDataTf }
  | { readonly kind: 'release-rq'; readonly collision: boolean }
  | { readonly kind: 'release-rp' }
  /** A-ABORT (source 0, the peer's user) or A-P-ABORT (source 2, a provider: the peer's or ours). */
  | { readonly kind: 'abort'; readonly source: number; readonly reason: number; readonly local: boolean }
  | { readonly kind: 'closed' };

/** A transition as it happened, for `--verbose` logs and tests. */
export interface Transition {
  readonly from: State;
  readonly event: FsmEvent;
  readonly action: ActionId;
  readonly to: State;
}

export interface UpperLayerOptions {
  readonly requestor: boolean;
  /** ARTIM timeout in ms (PS3.8 §9.1.5); default 30 s. */
  readonly artimTimeout?: number;
  readonly limits?: PduLimits;
  readonly onIndication: (indication: Indication) => void;
  readonly onTransition?: (transition: Transition) => void;
}

/**
 * One DICOM Upper Layer state machine over one TCP connection (PS3.8 §9.2). Events come from the socket
 * (PDUs, close), the ARTIM timer and the local user (primitives); each looks up TRANSITIONS and runs the action.
 * Every socket gets `setNoDelay(true)`: DIMSE messages are small and Nagle would add 40 ms to each.
 */
export class UpperLayer {
  state: State = 'Sta1';
  readonly #options: UpperLayerOptions;
  readonly #reader: PduReader;
  #socket: Socket | undefined;
  #artim: NodeJS.Timeout | undefined;
  /** The PDU or primitive that the current event carries. */
  #payload: Pdu | undefined;
  /** Why the current Evt19 happened: the A-ABORT reason to send. */
  #abortReason = 0;
  #abortSent = false;
  /** The requestor's RQ waits in Sta4 until the transport connection is confirmed (AE-1 → Evt2 → AE-2). */
  #pendingRq: AAssociateRq | undefined;

  constructor(options: UpperLayerOptions) {
    this.#options = options;
    this.#reader = new PduReader(options.limits);
  }

  get requestor(): boolean {
    return this.#options.requestor;
  }

  get remoteAddress(): string {
    return `${this.#socket?.remoteAddress ?? '?'}:${this.#socket?.remotePort ?? '?'}`;
  }

  // -- Local primitives (events from the user) -------------------------------------------------------------------

  /** Evt1 + Evt2: the requestor's socket is connecting; call `connected()` when it is. */
  requestConnection(socket: Socket, rq: AAssociateRq): void {
    this.#pendingRq = rq;
    this.#attach(socket);
    this.#handle('Evt1');
  }

  connected(): void {
    this.#handle('Evt2');
  }

  /** Evt5: a connection arrived (acceptor). */
  acceptConnection(socket: Socket): void {
    this.#attach(socket);
    this.#handle('Evt5');
  }

  /** Evt7: the user accepts the association. */
  accept(ac: AAssociateAc): void {
    this.#payload = ac;
    this.#handle('Evt7');
  }

  /** Evt8: the user rejects the association. */
  reject(rj: AAssociateRj): void {
    this.#payload = rj;
    this.#handle('Evt8');
  }

  /** Evt9: send a P-DATA-TF. Returns false when the socket's buffer is full (wait for `drain()`). */
  sendData(pdu: PDataTf): boolean {
    this.#payload = pdu;
    this.#handle('Evt9');
    return !this.#socket?.writableNeedDrain;
  }

  /** Evt9 with pre-encoded P-DATA-TF bytes (header and data as separate chunks, written without copying). */
  sendDataChunks(chunks: readonly Uint8Array[]): boolean {
    const action = TRANSITIONS.Evt9[this.state];
    if (action === undefined) throw new StateMachineError(this.state, 'Evt9');
    this.#log('Evt9', action, this.state);
    const socket = this.#socket!;
    if (chunks.length > 1) socket.cork();
    for (const c of chunks) socket.write(c);
    if (chunks.length > 1) socket.uncork();
    return !socket.writableNeedDrain;
  }

  /**
   * Holds the writes that follow until `uncork()` (nested calls count), so that many P-DATA-TF PDUs leave in one
   * writev instead of a system call each.
   */
  cork(): void {
    this.#socket?.cork();
  }

  uncork(): void {
    this.#socket?.uncork();
  }

  /** The socket holds more than its high-water mark (what `write` reports as false): wait for `drain()`. */
  get needsDrain(): boolean {
    return this.#socket?.writableNeedDrain === true;
  }

  /** Resolves when the socket can take more data. */
  drain(): Promise<void> {
    const socket = this.#socket;
    if (!socket || !socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  /**
   * Evt19 raised by the layer above: a PDU whose content is invalid there (a PDV for a presentation context that was
   * not accepted, a DIMSE message that cannot be decoded). The provider aborts with source 2 and `reason` (AA-8).
   */
  protocolError(reason: 0 | 2 | 6): void {
    if (TRANSITIONS.Evt19[this.state] === undefined) {
      this.#socket?.destroy();
      return;
    }
    this.#abortReason = reason;
    this.#handle('Evt19');
    this.#socket?.pause();
  }

  /** Stops reading from the socket (back-pressure from a slow dataset sink). */
  pause(): void {
    this.#socket?.pause();
  }

  resume(): void {
    if (this.state !== 'Sta1') this.#socket?.resume();
  }

  /** Evt11: A-RELEASE request. */
  release(): void {
    this.#handle('Evt11');
  }

  /** Evt14: A-RELEASE response. */
  releaseResponse(): void {
    this.#handle('Evt14');
  }

  /** Evt15: A-ABORT request. Harmless when there is nothing left to abort. */
  abort(): void {
    if (TRANSITIONS.Evt15[this.state] === undefined) {
      this.#socket?.destroy();
      return;
    }
    this.#abortReason = 0;
    this.#handle('Evt15');
  }

  // -- Transport events ---------------------------------------------------------------------------------------------

  #attach(socket: Socket): void {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {
      // 'close' follows every 'error': Evt17 is handled there.
    });
    socket.on('close', () => {
      this.#stopArtim();
      if (this.state !== 'Sta1') this.#handle('Evt17');
      this.#options.onIndication({ kind: 'closed' });
    });
  }

  #onData(chunk: Buffer): void {
    if (this.state === 'Sta1') return;
    let pdus: Pdu[];
    try {
      pdus = this.#reader.push(chunk);
    } catch (error) {
      if (!(error instanceof PduDecodeError)) throw error;
      this.#abortReason = error.abortReason;
      this.#handle('Evt19');
      this.#socket?.pause();
      return;
    }
    for (const pdu of pdus) {
      // An earlier PDU of this chunk may have ended the association (state is changed by #handle).
      if ((this.state as State) === 'Sta1') return;
      this.#payload = pdu;
      try {
        this.#handle(EVENT_OF_PDU[pdu.type]);
      } catch (error) {
        // Every PDU event has an entry for every state a connected socket can be in; this is a last line of
        // defence so that nothing a peer sends can throw out of the socket's data handler. The close that follows
        // is handled by the table (Evt17).
        this.#socket?.destroy(error as Error);
        return;
      }
    }
  }

  // -- The machine ------------------------------------------------------------------------------------------------

  #handle(event: FsmEvent): void {
    const from = this.state;
    const action = TRANSITIONS[event][from];
    if (action === undefined) throw new StateMachineError(from, event);
    const indications: Indication[] = [];
    const to = this.#run(action, event, indications);
    this.state = to;
    this.#log(event, action, from, to);
    // Indications go out once the machine is in its next state, so that a user who answers at once
    // (A-ASSOCIATE response, A-RELEASE response) finds the state the table expects.
    for (const indication of indications) this.#options.onIndication(indication);
  }

  #log(event: FsmEvent, action: ActionId, from: State, to: State = from): void {
    this.#options.onTransition?.({ from, event, action, to });
  }

  /** Runs an action (PS3.8 Tables 9-6 to 9-9) and returns the next state. */
  #run(action: ActionId, event: FsmEvent, indications: Indication[]): State {
    const payload = this.#payload;
    this.#payload = undefined;
    const indicate = (indication: Indication): void => {
      indications.push(indication);
    };
    switch (action) {
      case 'AE-1':
        return 'Sta4';
      case 'AE-2':
        this.#send(this.#pendingRq!);
        return 'Sta5';
      case 'AE-3':
        indicate({ kind: 'associate-ac', pdu: payload as AAssociateAc });
        return 'Sta6';
      case 'AE-4':
        indicate({ kind: 'associate-rj', pdu: payload as AAssociateRj });
        this.#close();
        return 'Sta1';
      case 'AE-5':
        this.#startArtim();
        return 'Sta2';
      case 'AE-6': {
        this.#stopArtim();
        const rq = payload as AAssociateRq;
        // The provider accepts only protocol version 1 (bit 0 set, PS3.8 Table 9-11); the rest is the user's call.
        if ((rq.protocolVersion & 1) === 0) {
          this.#send({ type: PduType.A_ASSOCIATE_RJ, result: 1, source: 2, reason: 2 });
          this.#endAfterWrite();
          this.#startArtim();
          return 'Sta13';
        }
        indicate({ kind: 'associate-rq', pdu: rq });
        return 'Sta3';
      }
      case 'AE-7':
        this.#send(payload as AAssociateAc);
        return 'Sta6';
      case 'AE-8':
        this.#send(payload as AAssociateRj);
        this.#endAfterWrite();
        this.#startArtim();
        return 'Sta13';
      case 'DT-1':
      case 'AR-7':
        this.#send(payload as PDataTf);
        return action === 'DT-1' ? 'Sta6' : 'Sta8';
      case 'DT-2':
      case 'AR-6':
        indicate({ kind: 'p-data', pdu: payload as PDataTf });
        return action === 'DT-2' ? 'Sta6' : 'Sta7';
      case 'AR-1':
        this.#send({ type: PduType.A_RELEASE_RQ });
        return 'Sta7';
      case 'AR-2':
        indicate({ kind: 'release-rq', collision: false });
        return 'Sta8';
      case 'AR-3':
        indicate({ kind: 'release-rp' });
        this.#close();
        return 'Sta1';
      case 'AR-4':
        this.#send({ type: PduType.A_RELEASE_RP });
        this.#startArtim();
        return 'Sta13';
      case 'AR-5':
        this.#stopArtim();
        this.#close();
        return 'Sta1';
      case 'AR-8':
        indicate({ kind: 'release-rq', collision: true });
        return this.requestor ? 'Sta9' : 'Sta10';
      case 'AR-9':
        this.#send({ type: PduType.A_RELEASE_RP });
        return 'Sta11';
      case 'AR-10':
        indicate({ kind: 'release-rp' });
        return 'Sta12';
      case 'AA-1': {
        // A local abort is from the service-user; a PDU that has no place in Sta2 is a protocol error (provider).
        const local = event === 'Evt15';
        const reason = event === 'Evt19' ? this.#abortReason : 2;
        this.#sendAbort(local ? { type: PduType.A_ABORT, source: 0, reason: 0 } : { type: PduType.A_ABORT, source: 2, reason });
        if (local) indicate({ kind: 'abort', source: 0, reason: 0, local: true });
        this.#startArtim();
        return 'Sta13';
      }
      case 'AA-2':
        this.#stopArtim();
        // An A-ABORT before the association exists is worth telling the user about; in Sta13 the association is
        // already over (released or aborted) and a late A-ABORT must not change how it ended.
        if (event === 'Evt16' && this.state === 'Sta2') {
          const abort = payload as AAbort;
          indicate({ kind: 'abort', source: abort.source, reason: abort.reason, local: false });
        }
        this.#close();
        return 'Sta1';
      case 'AA-3': {
        const abort = payload as AAbort;
        indicate({ kind: 'abort', source: abort.source, reason: abort.reason, local: false });
        this.#close();
        return 'Sta1';
      }
      case 'AA-4':
        indicate({ kind: 'abort', source: 2, reason: 0, local: false });
        return 'Sta1';
      case 'AA-5':
        this.#stopArtim();
        return 'Sta1';
      case 'AA-6':
        return 'Sta13';
      case 'AA-7':
        this.#sendAbort({ type: PduType.A_ABORT, source: 2, reason: event === 'Evt19' ? this.#abortReason : 2 });
        return 'Sta13';
      case 'AA-8': {
        const reason = event === 'Evt19' ? this.#abortReason : 2;
        this.#sendAbort({ type: PduType.A_ABORT, source: 2, reason });
        indicate({ kind: 'abort', source: 2, reason, local: true });
        this.#startArtim();
        return 'Sta13';
      }
    }
  }

  #send(pdu: Pdu): void {
    const socket = this.#socket;
    if (socket && !socket.destroyed && socket.writable) socket.write(encodePdu(pdu));
  }

  /** An A-ABORT is sent once, then our side of the connection is closed: there is nothing more to say. */
  #sendAbort(pdu: AAbort): void {
    if (this.#abortSent) return;
    this.#abortSent = true;
    this.#send(pdu);
    this.#endAfterWrite();
  }

  #endAfterWrite(): void {
    const socket = this.#socket;
    if (socket && !socket.destroyed) socket.end();
  }

  #close(): void {
    this.#stopArtim();
    this.#socket?.destroy();
  }

  #startArtim(): void {
    this.#stopArtim();
    this.#artim = setTimeout(() => {
      this.#artim = undefined;
      if (TRANSITIONS.Evt18[this.state] !== undefined) this.#handle('Evt18');
      else this.#socket?.destroy();
    }, this.#options.artimTimeout ?? 30_000);
    this.#artim.unref?.();
  }

  #stopArtim(): void {
    if (this.#artim) clearTimeout(this.#artim);
    this.#artim = undefined;
  }
}

const EVENT_OF_PDU: Readonly<Record<Pdu['type'], FsmEvent>> = {
  [PduType.A_ASSOCIATE_RQ]: 'Evt6',
  [PduType.A_ASSOCIATE_AC]: 'Evt3',
  [PduType.A_ASSOCIATE_RJ]: 'Evt4',
  [PduType.P_DATA_TF]: 'Evt10',
  [PduType.A_RELEASE_RQ]: 'Evt12',
  [PduType.A_RELEASE_RP]: 'Evt13',
  [PduType.A_ABORT]: 'Evt16',
};

/** For logs: "Sta6 Evt10 DT-2 → Sta6 (Send P-DATA indication primitive)". */
export const describeTransition = (t: Transition): string => `${t.from} ${t.event} ${t.action} → ${t.to} (${ACTIONS[t.action]})`;
