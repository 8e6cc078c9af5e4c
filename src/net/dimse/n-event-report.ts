/**
 * N-EVENT-REPORT (PS3.7 §10.1.1, §10.3.1): a performing DIMSE user reports an event about a managed SOP instance
 * (Print Job status, Storage Commitment result, MPPS notification). The request may carry Event Information; the
 * response may carry an Event Reply.
 */
import { CommandField } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** N-EVENT-REPORT-RQ (PS3.7 Table 10.3-1). */
export interface NEventReportRq extends CommandFields {
  readonly commandField: typeof CommandField.N_EVENT_REPORT_RQ;
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  readonly affectedSopInstanceUid: string;
  readonly eventTypeId: number;
}

/** N-EVENT-REPORT-RSP (PS3.7 Table 10.3-2). */
export interface NEventReportRsp extends CommandFields {
  readonly commandField: typeof CommandField.N_EVENT_REPORT_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
}

export type NEventReport = NEventReportRq | NEventReportRsp;

export const N_EVENT_REPORT_RQ: CommandSpec = {
  commandField: CommandField.N_EVENT_REPORT_RQ,
  name: 'N-EVENT-REPORT-RQ',
  required: ['messageId', 'affectedSopClassUid', 'affectedSopInstanceUid', 'eventTypeId'],
  dataset: 'optional',
};
export const N_EVENT_REPORT_RSP: CommandSpec = {
  commandField: CommandField.N_EVENT_REPORT_RSP,
  name: 'N-EVENT-REPORT-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'optional',
};

export interface NEventReportRqParams {
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  readonly affectedSopInstanceUid: string;
  readonly eventTypeId: number;
  /** Whether Event Information follows. Default false. */
  readonly hasDataset?: boolean;
}

export function nEventReportRq(p: NEventReportRqParams): NEventReportRq {
  return {
    commandField: CommandField.N_EVENT_REPORT_RQ,
    messageId: p.messageId,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    eventTypeId: p.eventTypeId,
    hasDataset: p.hasDataset ?? false,
  };
}

export interface NEventReportRspParams extends StatusDetail {
  readonly messageIdBeingRespondedTo: number;
  readonly affectedSopClassUid?: string;
  readonly affectedSopInstanceUid?: string;
  /** Conditional (C): echoed from the request. */
  readonly eventTypeId?: number;
  /** Whether an Event Reply follows. Default false. */
  readonly hasDataset?: boolean;
}

export function nEventReportRsp(p: NEventReportRspParams): NEventReportRsp {
  return compact<NEventReportRsp>({
    commandField: CommandField.N_EVENT_REPORT_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    eventTypeId: p.eventTypeId,
    ...statusFields(p),
    hasDataset: p.hasDataset ?? false,
  });
}
