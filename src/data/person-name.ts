/**
 * PN (Person Name, PS3.5 §6.2 and §6.2.1): up to three component groups separated by `=` (alphabetic,
 * ideographic, phonetic), each of up to five components separated by `^` (family name, given name, middle
 * name, prefix, suffix). DICOM JSON (PS3.18 §F.2.2) carries the groups as `{ Alphabetic, Ideographic, Phonetic }`.
 */
import { DicomValueError } from '../core/errors.js';

export type PersonNameGroup = 'alphabetic' | 'ideographic' | 'phonetic';

export interface PersonNameComponents {
  readonly familyName: string;
  readonly givenName: string;
  readonly middleName: string;
  readonly namePrefix: string;
  readonly nameSuffix: string;
}

/** PS3.18 §F.2.2: the object form of one PN value in DICOM JSON; empty groups are left out. */
export interface PersonNameJson {
  readonly Alphabetic?: string;
  readonly Ideographic?: string;
  readonly Phonetic?: string;
}

export type PersonNameInit = Partial<Record<PersonNameGroup, string | Partial<PersonNameComponents>>>;

export const PERSON_NAME_GROUPS: readonly PersonNameGroup[] = ['alphabetic', 'ideographic', 'phonetic'];
const COMPONENT_NAMES = ['familyName', 'givenName', 'middleName', 'namePrefix', 'nameSuffix'] as const;
const JSON_KEYS = { alphabetic: 'Alphabetic', ideographic: 'Ideographic', phonetic: 'Phonetic' } as const;
/** PS3.5 Table 6.2-1: 64 characters maximum per component group. */
export const PN_GROUP_MAX_CHARS = 64;

/** PS3.5 §6.2.1.1: trailing empty components and their `^` delimiters are left out. */
const trimCarets = (group: string): string => group.replace(/\^+$/, '');
/** Trailing pad spaces (and the NULs some writers use) are not part of the value. */
const stripPadding = (text: string): string => text.replace(/[ \0]+$/, '');

export class PersonName {
  readonly #groups: readonly [string, string, string];

  private constructor(groups: readonly string[]) {
    this.#groups = [trimCarets(groups[0] ?? ''), trimCarets(groups[1] ?? ''), trimCarets(groups[2] ?? '')];
  }

  /**
   * Reads one PN value leniently: groups after the third are dropped (`validatePersonName` reports them),
   * components after the fifth stay in the group text and `components()` folds them into `nameSuffix`.
   */
  static parse(text: string): PersonName {
    return new PersonName(stripPadding(text).split('=', 3));
  }

  /** Builds a name from group strings or components; throws `DicomValueError` for a delimiter inside a part. */
  static from(init: PersonNameInit): PersonName {
    return new PersonName(PERSON_NAME_GROUPS.map((g) => groupText(g, init[g])));
  }

  static fromJSON(json: PersonNameJson): PersonName {
    return PersonName.from({ alphabetic: json.Alphabetic, ideographic: json.Ideographic, phonetic: json.Phonetic });
  }

  get alphabetic(): string {
    return this.#groups[0];
  }

  get ideographic(): string {
    return this.#groups[1];
  }

  get phonetic(): string {
    return this.#groups[2];
  }

  get isEmpty(): boolean {
    return this.#groups.every((g) => g === '');
  }

  group(group: PersonNameGroup): string {
    return this.#groups[PERSON_NAME_GROUPS.indexOf(group)]!;
  }

  /** The five components of a group (missing ones are `''`; a sixth and later fold into `nameSuffix`). */
  components(group: PersonNameGroup = 'alphabetic'): PersonNameComponents {
    const parts = this.group(group).split('^');
    return {
      familyName: parts[0] ?? '',
      givenName: parts[1] ?? '',
      middleName: parts[2] ?? '',
      namePrefix: parts[3] ?? '',
      nameSuffix: parts.slice(4).join('^'),
    };
  }

  /** The canonical PN text: trailing empty components and groups with their delimiters removed. */
  toString(): string {
    return this.#groups.join('=').replace(/=+$/, '');
  }

  /** The PS3.18 §F.2.2 object, with empty groups left out (`{}` for an empty name). */
  toJSON(): PersonNameJson {
    const json: Record<string, string> = {};
    PERSON_NAME_GROUPS.forEach((g, i) => {
      if (this.#groups[i] !== '') json[JSON_KEYS[g]] = this.#groups[i]!;
    });
    return json;
  }

  equals(other: PersonName): boolean {
    return this.toString() === other.toString();
  }
}

function groupText(group: PersonNameGroup, value: string | Partial<PersonNameComponents> | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    rejectDelimiters(value, /[=\\]/, `${group} group`);
    return value;
  }
  return COMPONENT_NAMES.map((name) => {
    const part = value[name] ?? '';
    rejectDelimiters(part, /[\^=\\]/, `${group} ${name}`);
    return part;
  }).join('^');
}

function rejectDelimiters(text: string, re: RegExp, where: string): void {
  if (re.test(text)) {
    throw new DicomValueError('PN', `The ${where} ${JSON.stringify(text)} contains a PN delimiter (${re.source})`);
  }
}

/**
 * The ways one PN value breaks PS3.5 (more than three groups, more than five components in a group, a group
 * longer than 64 characters, a backslash, a control character other than ESC); `[]` when it is valid.
 */
export function validatePersonName(text: string): string[] {
  const problems: string[] = [];
  const value = stripPadding(text);
  if (value.includes('\\')) problems.push('contains a backslash (a value delimiter)');
  // ESC (0x1B) is allowed: ISO 2022 code extensions switch character sets inside ideographic and phonetic groups.
  if (/[\0-\x1a\x1c-\x1f]/.test(value)) problems.push('contains a control character');
  const groups = value.split('=');
  if (groups.length > 3) problems.push(`${groups.length} component groups (at most 3)`);
  groups.slice(0, 3).forEach((g, i) => {
    const name = PERSON_NAME_GROUPS[i];
    const count = g.split('^').length;
    if (count > 5) problems.push(`${name} group has ${count} components (at most 5)`);
    const chars = [...g].length;
    if (chars > PN_GROUP_MAX_CHARS) problems.push(`${name} group is ${chars} characters (at most ${PN_GROUP_MAX_CHARS})`);
  });
  return problems;
}
