import { describe, expect, it } from 'vitest';
import { DimseDecodeError } from '../../core/errors.js';
import { cCancelRq } from './c-cancel.js';
import { cEchoRq, cEchoRsp } from './c-echo.js';
import { cFindRq, cFindRsp } from './c-find.js';
import { cGetRq, cGetRsp } from './c-get.js';
import { cMoveRq, cMoveRsp } from './c-move.js';
import { cStoreRq, cStoreRsp } from './c-store.js';
import { CommandField, Priority } from './command-elements.js';
import { type CommandFields, decodeCommand, encodeCommand } from './command-set.js';
import { COMMAND_SPECS, commandName, type DimseCommand, isRequest, responseTo, validateCommand } from './message.js';
import { nActionRq, nActionRsp } from './n-action.js';
import { nCreateRq, nCreateRsp } from './n-create.js';
import { nDeleteRq, nDeleteRsp } from './n-delete.js';
import { nEventReportRq, nEventReportRsp } from './n-event-report.js';
import { nGetRq, nGetRsp } from './n-get.js';
import { nSetRq, nSetRsp } from './n-set.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const SOP = '1.2.826.0.1.3680043.2.1125.1.1';
const STUDY_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const STUDY_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
const STUDY_GET = '1.2.840.10008.5.1.4.1.2.2.3';
const MPPS = '1.2.840.10008.3.1.2.3.3';
const FILM_BOX = '1.2.840.10008.5.1.1.2';
const PRINTER = '1.2.840.10008.5.1.1.16';
const PRINTER_INSTANCE = '1.2.840.10008.5.1.1.17';
const COMMITMENT = '1.2.840.10008.1.20.1';
const COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';

/** One command of every operation, as the builders make them. */
const EVERY_COMMAND: [string, DimseCommand][] = [
  ['C-ECHO-RQ', cEchoRq({ messageId: 1, affectedSopClassUid: '1.2.840.10008.1.1' })],
  ['C-ECHO-RSP', cEchoRsp({ messageIdBeingRespondedTo: 1, affectedSopClassUid: '1.2.840.10008.1.1' })],
  ['C-STORE-RQ', cStoreRq({ messageId: 2, affectedSopClassUid: CT, affectedSopInstanceUid: SOP, priority: Priority.HIGH, moveOriginatorAeTitle: 'MOVER', moveOriginatorMessageId: 9 })],
  ['C-STORE-RSP', cStoreRsp({ messageIdBeingRespondedTo: 2, affectedSopClassUid: CT, affectedSopInstanceUid: SOP, status: 0xb000, offendingElements: [0x00100010], errorComment: 'coerced' })],
  ['C-FIND-RQ', cFindRq({ messageId: 3, affectedSopClassUid: STUDY_FIND })],
  ['C-FIND-RSP pending', cFindRsp({ messageIdBeingRespondedTo: 3, affectedSopClassUid: STUDY_FIND, status: 0xff00 })],
  ['C-FIND-RSP final', cFindRsp({ messageIdBeingRespondedTo: 3, affectedSopClassUid: STUDY_FIND })],
  ['C-GET-RQ', cGetRq({ messageId: 4, affectedSopClassUid: STUDY_GET, priority: Priority.LOW })],
  ['C-GET-RSP', cGetRsp({ messageIdBeingRespondedTo: 4, status: 0xff00, remainingSuboperations: 3, completedSuboperations: 1, failedSuboperations: 0, warningSuboperations: 0 })],
  ['C-MOVE-RQ', cMoveRq({ messageId: 5, affectedSopClassUid: STUDY_MOVE, moveDestination: 'STORESCP' })],
  ['C-MOVE-RSP', cMoveRsp({ messageIdBeingRespondedTo: 5, status: 0xa801, errorComment: 'who is STORESCP?', completedSuboperations: 0, failedSuboperations: 0, warningSuboperations: 0, hasDataset: true })],
  ['C-CANCEL-RQ', cCancelRq({ messageIdBeingRespondedTo: 3 })],
  ['N-EVENT-REPORT-RQ', nEventReportRq({ messageId: 6, affectedSopClassUid: COMMITMENT, affectedSopInstanceUid: COMMITMENT_INSTANCE, eventTypeId: 1, hasDataset: true })],
  ['N-EVENT-REPORT-RSP', nEventReportRsp({ messageIdBeingRespondedTo: 6, affectedSopClassUid: COMMITMENT, affectedSopInstanceUid: COMMITMENT_INSTANCE, eventTypeId: 1 })],
  ['N-GET-RQ', nGetRq({ messageId: 7, requestedSopClassUid: PRINTER, requestedSopInstanceUid: PRINTER_INSTANCE, attributeIdentifierList: [0x21100010, 0x21100020] })],
  ['N-GET-RSP', nGetRsp({ messageIdBeingRespondedTo: 7, affectedSopClassUid: PRINTER, affectedSopInstanceUid: PRINTER_INSTANCE })],
  ['N-SET-RQ', nSetRq({ messageId: 8, requestedSopClassUid: MPPS, requestedSopInstanceUid: SOP })],
  ['N-SET-RSP', nSetRsp({ messageIdBeingRespondedTo: 8, status: 0x0110, errorId: 0xa710, errorComment: 'no longer IN PROGRESS' })],
  ['N-ACTION-RQ', nActionRq({ messageId: 9, requestedSopClassUid: FILM_BOX, requestedSopInstanceUid: SOP, actionTypeId: 1 })],
  ['N-ACTION-RSP', nActionRsp({ messageIdBeingRespondedTo: 9, actionTypeId: 1, hasDataset: true })],
  ['N-CREATE-RQ', nCreateRq({ messageId: 10, affectedSopClassUid: MPPS, affectedSopInstanceUid: SOP })],
  ['N-CREATE-RSP', nCreateRsp({ messageIdBeingRespondedTo: 10, affectedSopClassUid: MPPS, affectedSopInstanceUid: SOP, status: 0x0107, attributeIdentifierList: [0x00400252] })],
  ['N-DELETE-RQ', nDeleteRq({ messageId: 11, requestedSopClassUid: FILM_BOX, requestedSopInstanceUid: SOP })],
  ['N-DELETE-RSP', nDeleteRsp({ messageIdBeingRespondedTo: 11 })],
];

describe('operation builders', () => {
  it('cover every Command Field', () => {
    expect(new Set(EVERY_COMMAND.map(([, c]) => c.commandField))).toEqual(new Set(Object.values(CommandField)));
  });

  it.each(EVERY_COMMAND)('%s round-trips through encode, decode and validate', (name, command) => {
    expect(commandName(command.commandField)).toBe(name.split(' ')[0]);
    expect(validateCommand(command)).toBe(command);
    expect(validateCommand(decodeCommand(encodeCommand(command)))).toEqual(command);
  });

  it('leave unset optional fields out', () => {
    expect(cEchoRsp({ messageIdBeingRespondedTo: 4 })).toEqual({ commandField: 0x8030, messageIdBeingRespondedTo: 4, status: 0, hasDataset: false });
    expect(Object.keys(nCreateRq({ messageId: 1, affectedSopClassUid: MPPS }))).not.toContain('affectedSopInstanceUid');
  });

  it('default Priority to MEDIUM and pending C-FIND responses to carrying an identifier', () => {
    expect(cStoreRq({ messageId: 1, affectedSopClassUid: CT, affectedSopInstanceUid: SOP }).priority).toBe(Priority.MEDIUM);
    expect(cFindRsp({ messageIdBeingRespondedTo: 1, status: 0xff01 }).hasDataset).toBe(true);
    expect(cFindRsp({ messageIdBeingRespondedTo: 1, status: 0xfe00 }).hasDataset).toBe(false);
    expect(nGetRsp({ messageIdBeingRespondedTo: 1, status: 0x0112 }).hasDataset).toBe(false);
  });
});

describe('validateCommand', () => {
  const rejects: [string, CommandFields][] = [
    ['a C-STORE-RQ without Affected SOP Instance UID', { commandField: 0x0001, messageId: 1, affectedSopClassUid: CT, priority: 0, hasDataset: true }],
    ['a C-STORE-RQ without Priority', { commandField: 0x0001, messageId: 1, affectedSopClassUid: CT, affectedSopInstanceUid: SOP, hasDataset: true }],
    ['a C-STORE-RQ without a data set', { commandField: 0x0001, messageId: 1, affectedSopClassUid: CT, affectedSopInstanceUid: SOP, priority: 0, hasDataset: false }],
    ['a C-ECHO-RQ with a data set', { commandField: 0x0030, messageId: 1, affectedSopClassUid: '1.2.840.10008.1.1', hasDataset: true }],
    ['a C-ECHO-RQ without Affected SOP Class UID', { commandField: 0x0030, messageId: 1, hasDataset: false }],
    ['a C-MOVE-RQ without Move Destination', { commandField: 0x0021, messageId: 1, affectedSopClassUid: STUDY_MOVE, priority: 0, hasDataset: true }],
    ['an N-ACTION-RQ without Action Type ID', { commandField: 0x0130, messageId: 1, requestedSopClassUid: FILM_BOX, requestedSopInstanceUid: SOP, hasDataset: false }],
    ['an N-EVENT-REPORT-RQ without Event Type ID', { commandField: 0x0100, messageId: 1, affectedSopClassUid: COMMITMENT, affectedSopInstanceUid: SOP, hasDataset: false }],
    ['an N-GET-RQ without Requested SOP Instance UID', { commandField: 0x0110, messageId: 1, requestedSopClassUid: PRINTER, hasDataset: false }],
    ['an N-SET-RQ without a Modification List', { commandField: 0x0120, messageId: 1, requestedSopClassUid: MPPS, requestedSopInstanceUid: SOP, hasDataset: false }],
    ['an N-DELETE-RSP with a data set', { commandField: 0x8150, messageIdBeingRespondedTo: 1, status: 0, hasDataset: true }],
    ['a response without Status', { commandField: 0x8001, messageIdBeingRespondedTo: 1, hasDataset: false }],
    ['an unknown Command Field', { commandField: 0x0042, messageId: 1, hasDataset: false }],
  ];
  it.each(rejects)('rejects %s', (_what, fields) => {
    expect(() => validateCommand(fields)).toThrow(DimseDecodeError);
  });
});

describe('command names and pairing', () => {
  it('names Command Fields as PS3.7 does', () => {
    expect(commandName(0x0030)).toBe('C-ECHO-RQ');
    expect(commandName(0x8100)).toBe('N-EVENT-REPORT-RSP');
    expect(commandName(0x0fff)).toBe('C-CANCEL-RQ');
    expect(commandName(0x1234)).toBe('unknown (0x1234)');
  });

  it('tells requests from responses', () => {
    expect(isRequest(CommandField.C_STORE_RQ)).toBe(true);
    expect(isRequest(CommandField.C_CANCEL_RQ)).toBe(true);
    expect(isRequest(CommandField.C_STORE_RSP)).toBe(false);
  });

  it('pairs every request but C-CANCEL with its response', () => {
    for (const spec of COMMAND_SPECS.values()) {
      if (!isRequest(spec.commandField) || spec.commandField === CommandField.C_CANCEL_RQ) continue;
      expect(commandName(responseTo(spec.commandField))).toBe(spec.name.replace(/-RQ$/, '-RSP'));
    }
    expect(() => responseTo(CommandField.C_CANCEL_RQ)).toThrow(DimseDecodeError);
    expect(() => responseTo(CommandField.C_ECHO_RSP)).toThrow(DimseDecodeError);
    expect(() => responseTo(0x0042)).toThrow(DimseDecodeError);
  });
});
