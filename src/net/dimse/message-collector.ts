/**
 * Whole received messages, for callers that hold data sets in memory: wraps `MessageAssembler` and joins each
 * data set with a `DatasetCollector` capped at `maxDatasetLength`. A caller that streams data sets to disk uses
 * `MessageAssembler` directly.
 */
import { MessageAssembler, type MessageAssemblerOptions } from './assembler.js';
import { DatasetCollector } from './dataset-collector.js';
import type { DimseCommand } from './message.js';
import type { Pdv } from '../pdu/types.js';

/** A received DIMSE message with its data set (encoded in the context's transfer syntax) when it has one. */
export interface ReceivedMessage {
  readonly contextId: number;
  readonly command: DimseCommand;
  readonly dataset?: Uint8Array;
}

export interface MessageCollectorOptions extends MessageAssemblerOptions {
  /** Largest data set held for one message, in bytes (default 256 MiB); a larger one throws `DimseDecodeError`. */
  readonly maxDatasetLength?: number;
}

export const DEFAULT_MAX_DATASET_LENGTH = 256 * 1024 * 1024;

export class MessageCollector {
  readonly #assembler: MessageAssembler;
  readonly #collector: DatasetCollector;
  #pending: { contextId: number; command: DimseCommand } | undefined;

  constructor(options: MessageCollectorOptions = {}) {
    this.#assembler = new MessageAssembler(options);
    this.#collector = new DatasetCollector(options.maxDatasetLength ?? DEFAULT_MAX_DATASET_LENGTH);
  }

  /** True between messages. */
  get idle(): boolean {
    return this.#assembler.idle;
  }

  /** Feeds one PDV; returns the message it completes (zero or one). Protocol errors throw `DimseDecodeError`. */
  push(pdv: Pdv): ReceivedMessage[] {
    const item = this.#assembler.push(pdv);
    if (item === undefined) return [];
    if (item.kind === 'command') {
      if (!item.command.hasDataset) return [{ contextId: item.contextId, command: item.command }];
      this.#pending = { contextId: item.contextId, command: item.command };
      return [];
    }
    this.#collector.add(item.chunk);
    if (!item.isLast) return [];
    const { contextId, command } = this.#pending!;
    this.#pending = undefined;
    return [{ contextId, command, dataset: this.#collector.finish() }];
  }
}
