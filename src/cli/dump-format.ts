import { BulkDataRef, EncapsulatedPixelData, type Fragment } from '../data/bulk-data.js';
import type { Dataset } from '../data/dataset.js';
import type { Element } from '../data/element.js';
import { formatTag, isPrivateTag, PIXEL_DATA } from '../data/tag.js';
import { VR_INFO } from '../data/vr.js';
import { keywordOf } from '../dictionary/attributes.js';
import { lookupUid } from '../dictionary/uids.js';
import type { DicomFile } from '../encoding/read.js';

const VALUE_WIDTH = 40;
const MAX_VALUE_CHARS = 64;

/** dcmdump-like text: one line per element with tag, VR, value, then `# length, VM keyword`; sequences indented. */
export function formatDump(file: DicomFile, name: string): string {
  const lines: string[] = [`# ${name}`];
  if (file.meta.size > 0) {
    lines.push('# File Meta Information');
    dumpDataset(file.meta, 0, lines);
  }
  lines.push(`# Dataset (${file.transferSyntax.name})`);
  dumpDataset(file.dataset, 0, lines);
  if (file.stoppedAt !== undefined) lines.push(`# stopped before ${formatTag(file.stoppedAt)}`);
  return `${lines.join('\n')}\n`;
}

function dumpDataset(ds: Dataset, depth: number, lines: string[]): void {
  for (const e of ds) dumpElement(e, depth, lines);
}

function dumpElement(e: Element, depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth);
  const tag = formatTag(e.tag).toLowerCase();
  const keyword = keywordOf(e.tag) || (isPrivateTag(e.tag) ? 'PrivateTag' : 'UnknownTag');
  if (e.vr === 'SQ') {
    const items = e.items;
    const how = e.undefinedLength === false ? 'explicit length' : 'undefined length';
    lines.push(line(indent, tag, 'SQ', `(Sequence with ${how} #=${items.length})`, lengthText(e), 1, keyword));
    for (const item of items) {
      const itemHow = item.undefinedLength === false ? 'explicit length' : 'undefined length';
      lines.push(line(`${indent}  `, '(fffe,e000)', 'na', `(Item with ${itemHow} #=${item.size})`, '', 1, 'Item'));
      dumpDataset(item, depth + 2, lines);
      if (item.undefinedLength !== false) lines.push(line(`${indent}  `, '(fffe,e00d)', 'na', '(ItemDelimitationItem)', '0', 0, 'ItemDelimitationItem'));
    }
    if (e.undefinedLength !== false) lines.push(line(indent, '(fffe,e0dd)', 'na', '(SequenceDelimitationItem)', '0', 0, 'SequenceDelimitationItem'));
    return;
  }
  const value = e.value;
  if (value instanceof EncapsulatedPixelData) {
    const frags = [value.basicOffsetTable, ...value.fragments];
    lines.push(line(indent, tag, e.vr, `(PixelSequence #=${frags.length})`, 'u/l', 1, keyword));
    frags.forEach((f, i) => {
      lines.push(line(`${indent}  `, '(fffe,e000)', 'pi', fragmentText(f, i === 0), String(f.length), 1, 'Item'));
    });
    lines.push(line(indent, '(fffe,e0dd)', 'na', '(SequenceDelimitationItem)', '0', 0, 'SequenceDelimitationItem'));
    return;
  }
  if (value instanceof BulkDataRef) {
    lines.push(line(indent, tag, e.vr, `(not loaded: ${value.length} bytes at offset ${value.offset})`, String(value.length), 1, keyword));
    return;
  }
  lines.push(line(indent, tag, e.vr, valueText(e), lengthText(e), e.vm, keyword));
}

function fragmentText(f: Fragment, isTable: boolean): string {
  const what = isTable ? 'Basic Offset Table' : 'fragment';
  return `(${what}: ${f.length} bytes at offset ${f.offset})`;
}

function lengthText(e: Element): string {
  const n = e.rawLength;
  if (n === undefined) return '-';
  return e.undefinedLength ? 'u/l' : String(n);
}

function valueText(e: Element): string {
  const info = VR_INFO[e.vr];
  if (e.tag === PIXEL_DATA || info.kind === 'binary') {
    const bytes = e.value as Uint8Array;
    if (bytes.length === 0) return '(no value available)';
    // Words as dcmdump shows them: OW as 16-bit hex words, everything else as bytes.
    const words = e.vr === 'OW' ? 2 : 1;
    const count = Math.min(Math.floor(bytes.length / words), 16 / words);
    const shown: string[] = [];
    for (let i = 0; i < count; i++) {
      const at = i * words;
      const v = words === 2 ? bytes[at]! | (bytes[at + 1]! << 8) : bytes[at]!;
      shown.push(v.toString(16).padStart(words * 2, '0'));
    }
    return count * words < bytes.length ? `${shown.join('\\')}...` : shown.join('\\');
  }
  const values = e.strings;
  if (values.length === 0) return '(no value available)';
  if (info.kind === 'number' || info.kind === 'tag' || info.kind === 'bigint') return clip(values.join('\\'));
  if (e.vr === 'UI') {
    const names = values.map((v) => {
      const known = lookupUid(v);
      return known ? `=${known.keyword || known.name}` : v;
    });
    return clip(`[${names.join('\\')}]`);
  }
  return clip(`[${values.join('\\').replace(/[\r\n\t]/g, ' ')}]`);
}

function clip(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}

function line(indent: string, tag: string, vr: string, value: string, length: string, vm: number, keyword: string): string {
  const left = `${indent}${tag} ${vr} ${value}`;
  return `${left.padEnd(indent.length + 15 + VALUE_WIDTH)} # ${length.padStart(4)}, ${vm} ${keyword}`;
}
