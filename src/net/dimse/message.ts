/**
 * DIMSE messages (PS3.7 §6.3): a command set and, when Command Data Set Type says so, a data set. This file ties
 * the per-operation files together: the union of all commands, their names, request/response pairing, and the
 * check that a received command has what its operation requires.
 */
import { DimseDecodeError } from '../../core/errors.js';
import { type CCancelRq, C_CANCEL_RQ } from './c-cancel.js';
import { type CEchoRq, type CEchoRsp, C_ECHO_RQ, C_ECHO_RSP } from './c-echo.js';
import { type CFindRq, type CFindRsp, C_FIND_RQ, C_FIND_RSP } from './c-find.js';
import { type CGetRq, type CGetRsp, C_GET_RQ, C_GET_RSP } from './c-get.js';
import { type CMoveRq, type CMoveRsp, C_MOVE_RQ, C_MOVE_RSP } from './c-move.js';
import { type CStoreRq, type CStoreRsp, C_STORE_RQ, C_STORE_RSP } from './c-store.js';
import { CommandField } from './command-elements.js';
import type { CommandSpec } from './command-spec.js';
import type { CommandFields } from './command-set.js';
import { type NActionRq, type NActionRsp, N_ACTION_RQ, N_ACTION_RSP } from './n-action.js';
import { type NCreateRq, type NCreateRsp, N_CREATE_RQ, N_CREATE_RSP } from './n-create.js';
import { type NDeleteRq, type NDeleteRsp, N_DELETE_RQ, N_DELETE_RSP } from './n-delete.js';
import { type NEventReportRq, type NEventReportRsp, N_EVENT_REPORT_RQ, N_EVENT_REPORT_RSP } from './n-event-report.js';
import { type NGetRq, type NGetRsp, N_GET_RQ, N_GET_RSP } from './n-get.js';
import { type NSetRq, type NSetRsp, N_SET_RQ, N_SET_RSP } from './n-set.js';

/** Every DIMSE request, discriminated by `commandField`. */
export type DimseRequest =
  | CStoreRq
  | CGetRq
  | CFindRq
  | CMoveRq
  | CEchoRq
  | CCancelRq
  | NEventReportRq
  | NGetRq
  | NSetRq
  | NActionRq
  | NCreateRq
  | NDeleteRq;

/** Every DIMSE response, discriminated by `commandField`. */
export type DimseResponse =
  | CStoreRsp
  | CGetRsp
  | CFindRsp
  | CMoveRsp
  | CEchoRsp
  | NEventReportRsp
  | NGetRsp
  | NSetRsp
  | NActionRsp
  | NCreateRsp
  | NDeleteRsp;

/** Every DIMSE command: `switch (command.commandField)` narrows it to one operation's request or response. */
export type DimseCommand = DimseRequest | DimseResponse;

/**
 * A DIMSE message: the command and, when `command.hasDataset`, the data set encoded in the presentation context's
 * transfer syntax — whole, or as a stream of chunks (a C-STORE of a large instance).
 */
export interface DimseMessage<C extends CommandFields = DimseCommand> {
  readonly command: C;
  readonly dataset?: Uint8Array | AsyncIterable<Uint8Array>;
}

/** The PS3.7 requirements of every command, by Command Field. */
export const COMMAND_SPECS: ReadonlyMap<number, CommandSpec> = new Map(
  [
    C_STORE_RQ, C_STORE_RSP, C_GET_RQ, C_GET_RSP, C_FIND_RQ, C_FIND_RSP, C_MOVE_RQ, C_MOVE_RSP, C_ECHO_RQ, C_ECHO_RSP,
    C_CANCEL_RQ, N_EVENT_REPORT_RQ, N_EVENT_REPORT_RSP, N_GET_RQ, N_GET_RSP, N_SET_RQ, N_SET_RSP, N_ACTION_RQ,
    N_ACTION_RSP, N_CREATE_RQ, N_CREATE_RSP, N_DELETE_RQ, N_DELETE_RSP,
  ].map((s) => [s.commandField, s]),
);

/** True for a request Command Field (the high bit clear), C-CANCEL-RQ included. */
export const isRequest = (commandField: number): boolean => (commandField & 0x8000) === 0;

/**
 * The Command Field of the response to a request: `responseTo(CommandField.C_ECHO_RQ)` → 0x8030. Throws
 * `DimseDecodeError` for C-CANCEL-RQ (it has no response), for a response and for an unknown value.
 */
export function responseTo(commandField: number): number {
  const response = (commandField | 0x8000) >>> 0;
  if (!isRequest(commandField) || commandField === CommandField.C_CANCEL_RQ || !COMMAND_SPECS.has(response)) {
    throw new DimseDecodeError(`${commandName(commandField)} has no response`);
  }
  return response;
}

/** The name PS3.7 gives a Command Field ('C-ECHO-RQ'); `unknown (0x1234)` for a value it does not define. */
export function commandName(commandField: number): string {
  return COMMAND_SPECS.get(commandField)?.name ?? `unknown (0x${(commandField >>> 0).toString(16).toUpperCase().padStart(4, '0')})`;
}

/**
 * Checks a (decoded) command against its operation's table in PS3.7 §9.3 / §10.3 — the mandatory fields and
 * whether a data set may follow — and returns it typed as the operation's request or response. Throws
 * `DimseDecodeError` naming the first thing missing.
 */
export function validateCommand(fields: CommandFields): DimseCommand {
  const spec = COMMAND_SPECS.get(fields.commandField);
  if (spec === undefined) throw new DimseDecodeError(`unknown Command Field 0x${fields.commandField.toString(16)}`);
  for (const key of spec.required) {
    if (fields[key] === undefined) throw new DimseDecodeError(`${spec.name} without ${key}`);
  }
  if (spec.dataset === 'required' && !fields.hasDataset) throw new DimseDecodeError(`${spec.name} without a data set`);
  if (spec.dataset === 'none' && fields.hasDataset) throw new DimseDecodeError(`${spec.name} announces a data set, which it cannot have`);
  return fields as DimseCommand;
}
