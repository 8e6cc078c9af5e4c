/**
 * The UID registry (PS3.6 Table A-1): SOP classes, transfer syntaxes, well-known instances and the application
 * context. The data is generated (./generated/uids.ts); the lookup maps are built on first use.
 */
import { UIDS } from './generated/uids.js';

export interface UidEntry {
  readonly uid: string;
  /** `CTImageStorage`, as PS3.6 writes the UID keyword. */
  readonly keyword: string;
  /** `CT Image Storage`, without the "(Retired)" suffix (see `retired`). */
  readonly name: string;
  /** `SOP Class`, `Transfer Syntax`, `Meta SOP Class`, `Well-known SOP Instance`, `Application Context Name`, … */
  readonly type: string;
  readonly retired: boolean;
  /** A storage SOP class, i.e. one that C-STORE carries (retired ones included). */
  readonly storage: boolean;
  /** The composite IOD of a storage SOP class (`CT Image`), when known. */
  readonly ciod?: string;
}

interface Tables {
  readonly entries: readonly UidEntry[];
  readonly byUid: ReadonlyMap<string, UidEntry>;
  readonly byKeyword: ReadonlyMap<string, UidEntry>;
  readonly storage: readonly UidEntry[];
}

let tables: Tables | undefined;

function build(): Tables {
  const entries = UIDS.map(([uid, keyword, name, type, retired, storage, ciod]): UidEntry => {
    const entry: UidEntry = { uid, keyword, name, type, retired: retired === 1, storage: storage === 1 };
    return Object.freeze(ciod === '' ? entry : { ...entry, ciod });
  });
  return {
    entries: Object.freeze(entries),
    byUid: new Map(entries.map((e) => [e.uid, e])),
    byKeyword: new Map(entries.map((e) => [e.keyword, e])),
    storage: Object.freeze(entries.filter((e) => e.storage)),
  };
}

const getTables = (): Tables => (tables ??= build());

export function lookupUid(uid: string): UidEntry | undefined {
  return getTables().byUid.get(uid);
}

/** `CTImageStorage` → `1.2.840.10008.5.1.4.1.1.2` (keywords are case-sensitive, as in PS3.6). */
export function uidForKeyword(keyword: string): string | undefined {
  return getTables().byKeyword.get(keyword)?.uid;
}

/** The registered name of a UID, or the UID itself when it is not a DICOM-registered one. */
export function uidName(uid: string): string {
  return getTables().byUid.get(uid)?.name ?? uid;
}

/** Every storage SOP class, retired ones included, in UID order. */
export function storageSopClasses(): readonly UidEntry[] {
  return getTables().storage;
}

/** Every registered UID of one type (`Transfer Syntax`, `SOP Class`, …), in UID order. */
export function uidsOfType(type: string): readonly UidEntry[] {
  return getTables().entries.filter((e) => e.type === type);
}
