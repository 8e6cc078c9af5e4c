/**
 * Reassembles the DIMSE messages of one association from the PDVs of received P-DATA-TF PDUs (PS3.7 §6.3.1,
 * PS3.8 Annex E). A message is its command fragments, then — when Command Data Set Type says so — its data set
 * fragments, all on one presentation context and never interleaved with another message.
 *
 * The command set is small and is joined and decoded here (bounded by `maxCommandLength`); data set fragments are
 * passed on one by one as they come, so the caller decides whether to collect them (`DatasetCollector`,
 * `MessageReceiver` in net/acse) or to write them to a file without ever holding the whole data set.
 */
import { DimseDecodeError } from '../../core/errors.js';
import type { Pdv } from '../pdu/types.js';
import { decodeCommand } from './command-set.js';
import { commandName, type DimseCommand, validateCommand } from './message.js';

/** What one PDV completes: a decoded command, or one fragment of the data set that follows it. */
export type AssembledItem =
  | { readonly kind: 'command'; readonly contextId: number; readonly command: DimseCommand }
  | { readonly kind: 'data'; readonly contextId: number; readonly chunk: Uint8Array; readonly isLast: boolean };

export interface MessageAssemblerOptions {
  /** Largest command set accepted, in bytes (default 64 KiB; real ones are well under 1 KiB). */
  readonly maxCommandLength?: number;
}

export const DEFAULT_MAX_COMMAND_LENGTH = 64 * 1024;

type State = 'idle' | 'command' | 'data' | 'failed';

/**
 * A push assembler: `push` each received PDV in order; it returns the item that PDV completes, if any. A protocol
 * violation — a data PDV with no command before it, a command PDV where data set fragments are due, a PDV for
 * another presentation context in the middle of a message, a command set over the limit or one that does not
 * decode — throws `DimseDecodeError`, after which the assembler refuses further input (the association is to be
 * aborted).
 */
export class MessageAssembler {
  readonly #maxCommandLength: number;
  #state: State = 'idle';
  #contextId = 0;
  #fragments: Uint8Array[] = [];
  #length = 0;
  #command: DimseCommand | undefined;

  constructor(options: MessageAssemblerOptions = {}) {
    this.#maxCommandLength = options.maxCommandLength ?? DEFAULT_MAX_COMMAND_LENGTH;
  }

  /** True between messages: nothing is partly received. */
  get idle(): boolean {
    return this.#state === 'idle';
  }

  /** The command whose data set is being received, if one is. */
  get current(): DimseCommand | undefined {
    return this.#state === 'data' ? this.#command : undefined;
  }

  push(pdv: Pdv): AssembledItem | undefined {
    try {
      return this.#push(pdv);
    } catch (error) {
      this.#state = 'failed';
      this.#fragments = [];
      throw error;
    }
  }

  #push(pdv: Pdv): AssembledItem | undefined {
    switch (this.#state) {
      case 'failed':
        throw new DimseDecodeError('the message assembler stopped at an earlier protocol error');
      case 'idle':
        if (!pdv.isCommand) throw new DimseDecodeError(`a data set fragment on context ${pdv.contextId} with no command before it`);
        this.#contextId = pdv.contextId;
        this.#state = 'command';
        return this.#commandFragment(pdv);
      case 'command':
        this.#checkContext(pdv, 'command set');
        if (!pdv.isCommand) throw new DimseDecodeError('a data set fragment before the last command fragment');
        return this.#commandFragment(pdv);
      case 'data': {
        this.#checkContext(pdv, 'data set');
        const name = commandName(this.#command!.commandField);
        if (pdv.isCommand) throw new DimseDecodeError(`a command fragment where the data set of a ${name} was due`);
        if (pdv.isLast) {
          this.#state = 'idle';
          this.#command = undefined;
        }
        return { kind: 'data', contextId: pdv.contextId, chunk: pdv.data, isLast: pdv.isLast };
      }
    }
  }

  #checkContext(pdv: Pdv, what: string): void {
    if (pdv.contextId !== this.#contextId) {
      throw new DimseDecodeError(`a PDV on context ${pdv.contextId} in the middle of a ${what} on context ${this.#contextId}`);
    }
  }

  #commandFragment(pdv: Pdv): AssembledItem | undefined {
    if (pdv.data.length > this.#maxCommandLength - this.#length) {
      throw new DimseDecodeError(`command set longer than ${this.#maxCommandLength} bytes`);
    }
    // Copied: the PDU's buffer may be reused before the last fragment arrives.
    if (pdv.data.length > 0) this.#fragments.push(Uint8Array.prototype.slice.call(pdv.data));
    this.#length += pdv.data.length;
    if (!pdv.isLast) return undefined;

    const bytes = this.#fragments.length === 1 ? this.#fragments[0]! : Buffer.concat(this.#fragments, this.#length);
    this.#fragments = [];
    this.#length = 0;
    const command = validateCommand(decodeCommand(bytes));
    if (command.hasDataset) {
      this.#state = 'data';
      this.#command = command;
    } else {
      this.#state = 'idle';
    }
    return { kind: 'command', contextId: this.#contextId, command };
  }
}
