/**
 * UIDs (PS3.5 §9.1): numeric components separated by `.`, each without a leading zero unless it is the
 * single digit `0`, at most 64 characters in all. New UIDs are made under a root (PS3.5 §9.2): by default
 * `2.25`, followed by a random UUID as one decimal integer (PS3.5 §B.2, ISO/IEC 9834-8).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DicomValueError } from '../core/errors.js';

export const UID_MAX_LENGTH = 64;
/** The UUID-derived root (PS3.5 §B.2). */
export const UUID_UID_ROOT = '2.25';
/** A custom root must leave room for this many suffix digits (timestamp plus random digits). */
const MIN_SUFFIX_DIGITS = 20;
const SUFFIX_DIGITS = 39;

const UID_RE = /^(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))*$/;

let currentRoot: string = UUID_UID_ROOT;

/**
 * True when `text` follows the UID grammar exactly. Padding is not part of a UID: strip the trailing NUL
 * (or space) of an even-length element value before asking.
 */
export const isValidUid = (text: string): boolean => text.length <= UID_MAX_LENGTH && UID_RE.test(text);

function uidProblem(text: string): string {
  if (text === '') return 'empty';
  if (text.length > UID_MAX_LENGTH) return `longer than ${UID_MAX_LENGTH} characters`;
  if (/[^0-9.]/.test(text)) return 'only digits and "." are allowed';
  if (/^\.|\.\.|\.$/.test(text)) return 'empty component';
  return 'a component has a leading zero';
}

/** Throws `DicomValueError('UI', …)` naming `what` (e.g. "Study Instance UID") when `text` is not a valid UID. */
export function assertValidUid(text: string, what = 'UID'): void {
  if (!isValidUid(text)) {
    throw new DicomValueError('UI', `Invalid ${what} ${JSON.stringify(text)}: ${uidProblem(text)}`);
  }
}

/** Accepts a root with or without its trailing `.`, and checks it leaves room for a unique suffix. */
function normalizeRoot(root: string): string {
  const r = root.endsWith('.') ? root.slice(0, -1) : root;
  assertValidUid(r, 'UID root');
  if (r !== UUID_UID_ROOT && UID_MAX_LENGTH - r.length - 1 < MIN_SUFFIX_DIGITS) {
    throw new DicomValueError(
      'UI',
      `UID root ${JSON.stringify(r)} is too long: it must leave ${MIN_SUFFIX_DIGITS} of ${UID_MAX_LENGTH} characters for the suffix`,
    );
  }
  return r;
}

/** The root `generateUid()` uses when given none (without a trailing `.`); `2.25` unless changed. */
export const uidRoot = (): string => currentRoot;

/** Changes the process-wide default root (e.g. an organisation's registered root); validates it first. */
export function setUidRoot(root: string): void {
  currentRoot = normalizeRoot(root);
}

/**
 * A new UID. Under `2.25` (the default): `2.25.` + a random (version 4) UUID as a decimal integer.
 * Under any other root: root + `.` + the current time in milliseconds + random digits, cut to 64 characters.
 */
export function generateUid(root: string = currentRoot): string {
  const r = normalizeRoot(root);
  if (r === UUID_UID_ROOT) return `${r}.${BigInt(`0x${randomUUID().replaceAll('-', '')}`)}`;
  const random = BigInt(`0x${randomBytes(16).toString('hex')}`).toString().padStart(SUFFIX_DIGITS, '0');
  const suffix = `${Date.now()}${random}`.slice(0, Math.min(SUFFIX_DIGITS, UID_MAX_LENGTH - r.length - 1));
  return `${r}.${suffix}`;
}
