/**
 * DIMSE status codes (PS3.7 Annex C): the class a code belongs to, its name, and the general codes every service
 * shares. Each service class adds its own codes in `src/services/<service>/status.ts` (PS3.4), as a `StatusTable`
 * passed to these functions (pynetdicom's status.py, one table per service class).
 */
import { DimseStatusError } from './errors.js';

/** The status classes of PS3.7 Annex C. */
export type StatusCategory = 'success' | 'warning' | 'failure' | 'cancel' | 'pending';

export interface StatusEntry {
  readonly category: StatusCategory;
  readonly name: string;
}

/** A range of codes with one meaning, e.g. A700–A7FF "Refused: Out of Resources" for C-STORE. */
export interface StatusRange extends StatusEntry {
  readonly from: number;
  readonly to: number;
}

/** A service class's own status codes (PS3.4), consulted before the general ones. */
export interface StatusTable {
  /** The service (class) the table belongs to, for messages: 'Storage', 'Query/Retrieve C-FIND'. */
  readonly service: string;
  readonly codes: ReadonlyMap<number, StatusEntry>;
  readonly ranges: readonly StatusRange[];
}

/** General status codes with a fixed meaning (PS3.7 Annex C). */
export const Status = {
  SUCCESS: 0x0000,
  /** Warning: requested optional attributes are not supported (N-GET, MPPS). */
  OPTIONAL_ATTRIBUTES_NOT_SUPPORTED: 0x0001,
  NO_SUCH_ATTRIBUTE: 0x0105,
  INVALID_ATTRIBUTE_VALUE: 0x0106,
  ATTRIBUTE_LIST_ERROR: 0x0107,
  PROCESSING_FAILURE: 0x0110,
  DUPLICATE_SOP_INSTANCE: 0x0111,
  NO_SUCH_SOP_INSTANCE: 0x0112,
  NO_SUCH_EVENT_TYPE: 0x0113,
  NO_SUCH_ARGUMENT: 0x0114,
  INVALID_ARGUMENT_VALUE: 0x0115,
  ATTRIBUTE_VALUE_OUT_OF_RANGE: 0x0116,
  INVALID_OBJECT_INSTANCE: 0x0117,
  NO_SUCH_SOP_CLASS: 0x0118,
  CLASS_INSTANCE_CONFLICT: 0x0119,
  MISSING_ATTRIBUTE: 0x0120,
  MISSING_ATTRIBUTE_VALUE: 0x0121,
  SOP_CLASS_NOT_SUPPORTED: 0x0122,
  NO_SUCH_ACTION: 0x0123,
  NOT_AUTHORIZED: 0x0124,
  DUPLICATE_INVOCATION: 0x0210,
  UNRECOGNIZED_OPERATION: 0x0211,
  MISTYPED_ARGUMENT: 0x0212,
  RESOURCE_LIMITATION: 0x0213,
  CANCEL: 0xfe00,
  PENDING: 0xff00,
  PENDING_WARNING: 0xff01,
} as const;

const entry = (category: StatusCategory, name: string): StatusEntry => ({ category, name });

/** PS3.7 Annex C (C.1–C.5) general codes. */
export const GENERAL_STATUS: ReadonlyMap<number, StatusEntry> = new Map([
  [Status.SUCCESS, entry('success', 'Success')],
  [Status.OPTIONAL_ATTRIBUTES_NOT_SUPPORTED, entry('warning', 'Requested optional Attributes are not supported')],
  [Status.NO_SUCH_ATTRIBUTE, entry('failure', 'No such Attribute')],
  [Status.INVALID_ATTRIBUTE_VALUE, entry('failure', 'Invalid Attribute Value')],
  [Status.ATTRIBUTE_LIST_ERROR, entry('warning', 'Attribute list error')],
  [Status.PROCESSING_FAILURE, entry('failure', 'Processing failure')],
  [Status.DUPLICATE_SOP_INSTANCE, entry('failure', 'Duplicate SOP Instance')],
  [Status.NO_SUCH_SOP_INSTANCE, entry('failure', 'No such SOP Instance')],
  [Status.NO_SUCH_EVENT_TYPE, entry('failure', 'No such event type')],
  [Status.NO_SUCH_ARGUMENT, entry('failure', 'No such argument')],
  [Status.INVALID_ARGUMENT_VALUE, entry('failure', 'Invalid argument value')],
  [Status.ATTRIBUTE_VALUE_OUT_OF_RANGE, entry('warning', 'Attribute Value out of range')],
  [Status.INVALID_OBJECT_INSTANCE, entry('failure', 'Invalid SOP Instance')],
  [Status.NO_SUCH_SOP_CLASS, entry('failure', 'No such SOP Class')],
  [Status.CLASS_INSTANCE_CONFLICT, entry('failure', 'Class-Instance conflict')],
  [Status.MISSING_ATTRIBUTE, entry('failure', 'Missing Attribute')],
  [Status.MISSING_ATTRIBUTE_VALUE, entry('failure', 'Missing Attribute Value')],
  [Status.SOP_CLASS_NOT_SUPPORTED, entry('failure', 'Refused: SOP Class not supported')],
  [Status.NO_SUCH_ACTION, entry('failure', 'No such action')],
  [Status.NOT_AUTHORIZED, entry('failure', 'Refused: Not authorized')],
  [Status.DUPLICATE_INVOCATION, entry('failure', 'Duplicate invocation')],
  [Status.UNRECOGNIZED_OPERATION, entry('failure', 'Unrecognized operation')],
  [Status.MISTYPED_ARGUMENT, entry('failure', 'Mistyped argument')],
  [Status.RESOURCE_LIMITATION, entry('failure', 'Resource limitation')],
  [Status.CANCEL, entry('cancel', 'Cancel')],
  [Status.PENDING, entry('pending', 'Pending')],
  [Status.PENDING_WARNING, entry('pending', 'Pending with warnings')],
]);

/** Builds a service's table from single codes and ranges (`[from, to, category, name]`). */
export function statusTable(
  service: string,
  codes: readonly (readonly [number, StatusCategory, string])[],
  ranges: readonly (readonly [number, number, StatusCategory, string])[] = [],
): StatusTable {
  return {
    service,
    codes: new Map(codes.map(([code, category, name]) => [code, { category, name }])),
    ranges: ranges.map(([from, to, category, name]) => ({ from, to, category, name })),
  };
}

function lookup(status: number, service: StatusTable | undefined): StatusEntry | undefined {
  if (service !== undefined) {
    const exact = service.codes.get(status);
    if (exact !== undefined) return exact;
  }
  const general = GENERAL_STATUS.get(status);
  if (general !== undefined) return general;
  return service?.ranges.find((r) => status >= r.from && status <= r.to);
}

/**
 * The status class of a code (PS3.7 Annex C): the service's table and the general codes first, then the code
 * ranges — 0000 success; FF00/FF01 pending; FE00 cancel; 0001, 0107, 0116 and Bxxx warning; Axxx, Cxxx, 01xx
 * and 02xx failure. Any other code is treated as a failure (an unknown status must not pass as success).
 */
export function statusCategory(status: number, service?: StatusTable): StatusCategory {
  const known = lookup(status, service);
  if (known !== undefined) return known.category;
  const high = status & 0xf000;
  if (high === 0xb000) return 'warning';
  if ((status & 0xff00) === 0xff00) return status === 0xff00 || status === 0xff01 ? 'pending' : 'failure';
  return 'failure';
}

/** The meaning of a code, from the service's table or the general codes; else its class ('Warning', 'Failure'). */
export function statusName(status: number, service?: StatusTable): string {
  const known = lookup(status, service);
  if (known !== undefined) return known.name;
  const category = statusCategory(status, service);
  return category === 'failure' ? 'Failure' : category[0]!.toUpperCase() + category.slice(1);
}

/** '0xA700'. */
export const formatStatus = (status: number): string => `0x${(status >>> 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** '0xA700 Refused: Out of Resources (failure)'. */
export const describeStatus = (status: number, service?: StatusTable): string =>
  `${formatStatus(status)} ${statusName(status, service)} (${statusCategory(status, service)})`;

/**
 * Throws `DimseStatusError` when `status` is a failure; returns its class otherwise (success, warning, pending
 * or cancel — a cancelled operation is what the caller asked for). `errorComment` is the response's (0000,0902).
 */
export function assertSuccess(
  status: number,
  service?: StatusTable,
  context: { readonly operation?: string; readonly errorComment?: string } = {},
): Exclude<StatusCategory, 'failure'> {
  const category = statusCategory(status, service);
  if (category !== 'failure') return category;
  const what = context.operation ?? service?.service ?? 'DIMSE operation';
  const comment = context.errorComment ? `: ${context.errorComment}` : '';
  throw new DimseStatusError(status, category, `${what} failed with status ${formatStatus(status)} ${statusName(status, service)}${comment}`);
}
