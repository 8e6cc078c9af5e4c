import type { DatasetSink } from '../../net/acse/message-receiver.js';
import type { CommandFields } from '../../net/dimse/command-set.js';
import type { ScpService, SinkContext } from '../../net/service.js';

/** What a storage SCP needs from whoever keeps the instances (Orthanc's IStoreRequestHandler): a sink per C-STORE. */
export interface StorageHandler {
  sink(command: CommandFields, transferSyntax: string, callingAeTitle: string): DatasetSink;
}

/** The result a sink's `end()` resolves with. */
export interface StoreResult {
  readonly status: number;
  readonly errorComment?: string;
}

/**
 * The Storage SCP (PS3.4 Annex B): each C-STORE-RQ's dataset streams into the handler's sink while it arrives; the
 * response carries the status the sink ended with. A sink that failed outright answers A700 (out of resources).
 */
export function storageScp(options: { readonly sopClasses: readonly string[]; readonly transferSyntaxes: readonly string[]; readonly handler: StorageHandler }): ScpService {
  return {
    name: 'Storage',
    sopClasses: options.sopClasses,
    transferSyntaxes: options.transferSyntaxes,
    commands: [0x0001],
    failureStatus: 0xa700,
    datasetSink: (command: CommandFields, context: SinkContext) => options.handler.sink(command, context.transferSyntax, context.association.params.callingAeTitle),
    handle: async (request) => {
      if (request.sinkError) return { status: 0xa700, fields: { errorComment: request.sinkError.message.slice(0, 64) } };
      const result = request.sinkResult as StoreResult | undefined;
      if (!result) return { status: 0xa700, fields: { errorComment: 'the dataset was not stored' } };
      return { status: result.status, ...(result.errorComment ? { fields: { errorComment: result.errorComment } } : {}) };
    },
  };
}
