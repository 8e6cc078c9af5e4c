import { WorklistError } from './errors.js';

/** One CSV record: its fields and the line of the file it starts on (1-based). */
export interface CsvRecord {
  readonly fields: readonly string[];
  readonly line: number;
}

/**
 * Reads CSV text (RFC 4180): fields separated by `,` (or by `;` when the first line has semicolons and no comma, as
 * spreadsheets write it in some locales), quoted fields with `""` for a quote and line breaks inside, CRLF or LF line
 * ends, a UTF-8 byte order mark ignored. Blank lines are skipped. Throws WorklistError (INPUT) for an unterminated
 * quote or text after a closing quote.
 */
export function parseCsv(text: string): CsvRecord[] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstLine = input.slice(0, input.search(/\r?\n|$/));
  const separator = !firstLine.includes(',') && firstLine.includes(';') ? ';' : ',';
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quotedField = false;
  const endField = (): void => {
    fields.push(field);
    field = '';
    quotedField = false;
  };
  const endRecord = (): void => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: recordLine });
    fields = [];
  };
  while (i < input.length) {
    const c = input[i]!;
    if (c === '"' && field === '' && !quotedField) {
      // A quoted field: up to the closing quote, "" is a quote, line breaks are kept.
      const start = line;
      i++;
      for (;;) {
        if (i >= input.length) throw new WorklistError('INPUT', `line ${start}: a quoted field is not closed`, `line ${start}`);
        const q = input[i]!;
        if (q === '"') {
          if (input[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n') line++;
        field += q;
        i++;
      }
      quotedField = true;
      const next = input[i];
      if (next !== undefined && next !== separator && next !== '\r' && next !== '\n') {
        throw new WorklistError('INPUT', `line ${line}: text after a closing quote`, `line ${line}`);
      }
      continue;
    }
    if (c === separator) {
      endField();
      i++;
      continue;
    }
    if (c === '\r' && input[i + 1] === '\n') i++;
    if (c === '\r' || c === '\n') {
      endRecord();
      i++;
      line++;
      recordLine = line;
      continue;
    }
    if (quotedField) throw new WorklistError('INPUT', `line ${line}: text after a closing quote`, `line ${line}`);
    field += c;
    i++;
  }
  if (field !== '' || fields.length > 0 || quotedField) endRecord();
  return records;
}
