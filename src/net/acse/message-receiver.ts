import { DimseDecodeError } from '../../core/errors.js';
import { MessageAssembler } from '../dimse/assembler.js';
import type { CommandFields } from '../dimse/command-set.js';
import { DatasetCollector } from '../dimse/dataset-collector.js';
import type { Pdv } from '../pdu/types.js';

/**
 * Where a received dataset goes instead of memory (a C-STORE written straight to a temporary file). `write` may
 * return a promise: the association stops reading from the socket while too much is waiting, so memory stays flat
 * whatever the dataset's size. `end` resolves with what the request handler gets as `sinkResult`; `abort` is called
 * when the association ends before the last fragment (the sink must then leave nothing behind).
 */
export interface DatasetSink {
  write(chunk: Uint8Array): void | Promise<void>;
  end(): Promise<unknown>;
  abort(error: Error): void;
}

export type DatasetSinkProvider = (contextId: number, command: CommandFields) => DatasetSink | undefined;

/** A whole received message: its dataset in memory, or what its sink produced (or failed with). */
export interface ReceivedMessage {
  readonly contextId: number;
  readonly command: CommandFields;
  readonly dataset?: Uint8Array;
  readonly sinkResult?: unknown;
  readonly sinkError?: Error;
}

interface Current {
  readonly contextId: number;
  readonly command: CommandFields;
  readonly sink: DatasetSink | undefined;
  readonly collector: DatasetCollector | undefined;
  chain: Promise<void>;
  failed: Error | undefined;
}

/** Bytes waiting for a sink beyond which the socket is paused. */
const HIGH_WATER = 4 * 1024 * 1024;

/**
 * Turns PDVs into messages: commands decoded, datasets collected in memory (capped) or streamed to a sink with
 * back-pressure. Messages are delivered in order through `deliver`.
 */
export class MessageReceiver {
  readonly #assembler = new MessageAssembler();
  readonly #maxDataset: number;
  readonly #sinks: DatasetSinkProvider | undefined;
  readonly #deliver: (message: ReceivedMessage) => void;
  readonly #flow: { pause(): void; resume(): void };
  #current: Current | undefined;
  #waiting = 0;
  #paused = false;
  /** Deliveries in order, even when a sink's end() takes time. */
  #order: Promise<void> = Promise.resolve();

  constructor(options: {
    maxDatasetLength: number;
    sinks: DatasetSinkProvider | undefined;
    deliver: (message: ReceivedMessage) => void;
    flow: { pause(): void; resume(): void };
  }) {
    this.#maxDataset = options.maxDatasetLength;
    this.#sinks = options.sinks;
    this.#deliver = options.deliver;
    this.#flow = options.flow;
  }

  push(pdv: Pdv): void {
    const item = this.#assembler.push(pdv);
    if (item === undefined) return;
    if (item.kind === 'command') {
      const command = item.command;
      if (!command.hasDataset) {
        this.#enqueue(async () => ({ contextId: item.contextId, command }));
        return;
      }
      const sink = this.#sinks?.(item.contextId, command);
      this.#current = {
        contextId: item.contextId,
        command,
        sink,
        collector: sink ? undefined : new DatasetCollector(this.#maxDataset),
        chain: Promise.resolve(),
        failed: undefined,
      };
      return;
    }
    const current = this.#current;
    if (!current) throw new DimseDecodeError('dataset fragment without a command');
    if (current.collector) {
      current.collector.add(item.chunk);
    } else {
      const chunk = item.chunk;
      this.#waiting += chunk.length;
      if (this.#waiting > HIGH_WATER && !this.#paused) {
        this.#paused = true;
        this.#flow.pause();
      }
      current.chain = current.chain.then(async () => {
        try {
          if (!current.failed) await current.sink!.write(chunk);
        } catch (error) {
          current.failed = error as Error;
        } finally {
          this.#waiting -= chunk.length;
          if (this.#paused && this.#waiting <= HIGH_WATER / 2) {
            this.#paused = false;
            this.#flow.resume();
          }
        }
      });
    }
    if (!item.isLast) return;
    this.#current = undefined;
    if (current.collector) {
      const dataset = current.collector.finish();
      this.#enqueue(async () => ({ contextId: current.contextId, command: current.command, dataset }));
      return;
    }
    this.#enqueue(async () => {
      await current.chain;
      if (current.failed) {
        current.sink!.abort(current.failed);
        return { contextId: current.contextId, command: current.command, sinkError: current.failed };
      }
      try {
        return { contextId: current.contextId, command: current.command, sinkResult: await current.sink!.end() };
      } catch (error) {
        return { contextId: current.contextId, command: current.command, sinkError: error as Error };
      }
    });
  }

  /** A dataset is being received. */
  get busy(): boolean {
    return this.#current !== undefined;
  }

  /** Resolves when every message received so far has been delivered. */
  settled(): Promise<void> {
    return this.#order;
  }

  /** The association ended: a dataset still streaming into a sink is abandoned. */
  abandon(error: Error): void {
    const current = this.#current;
    this.#current = undefined;
    if (current?.sink) void current.chain.then(() => current.sink!.abort(error));
  }

  #enqueue(make: () => Promise<ReceivedMessage>): void {
    const next = this.#order.then(make).then(
      (message) => this.#deliver(message),
      () => undefined,
    );
    this.#order = next;
  }
}
