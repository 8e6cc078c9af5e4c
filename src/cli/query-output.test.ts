import { describe, expect, it } from 'vitest';
import { Dataset } from '../data/dataset.js';
import { columnsWith, countMatches, displayWidth, FIND_COLUMNS, FIND_SHOWN, renderJson, renderTable, truncate, WORKLIST_COLUMNS } from './query-output.js';

const ds = (entries: Record<string, string | readonly Dataset[]>): Dataset => {
  const d = new Dataset();
  for (const [k, v] of Object.entries(entries)) d.set(k, v as string);
  return d;
};

describe('renderTable', () => {
  it('prints a header and one aligned line per match, leaving out columns nobody fills', () => {
    const out = renderTable(
      [ds({ PatientName: 'Doe^John', PatientID: 'ID1', StudyDate: '20240131', StudyInstanceUID: '1.2.3' }), ds({ PatientName: 'Roe^Richard^M', PatientID: 'ID22', StudyDate: '20240201', StudyInstanceUID: '1.2.4' })],
      FIND_COLUMNS.STUDY,
    );
    expect(out).toBe(
      ['Patient        ID    Date      Study Instance UID', 'Doe^John       ID1   20240131  1.2.3', 'Roe^Richard^M  ID22  20240201  1.2.4', ''].join('\n'),
    );
  });

  it('nothing for zero matches', () => {
    expect(renderTable([], FIND_COLUMNS.STUDY)).toBe('');
  });

  it('counts wide characters as two columns, so Japanese names line up', () => {
    const out = renderTable([ds({ PatientName: '山田^太郎', PatientID: 'A' }), ds({ PatientName: 'Yamada^Tarou', PatientID: 'B' })], FIND_COLUMNS.PATIENT);
    const lines = out.trimEnd().split('\n');
    expect(lines.map((l) => displayWidth(l.slice(0, l.lastIndexOf(' ') + 1)))).toEqual([14, 14, 14]);
  });

  it('shows control characters from the wire as ? (no terminal escapes) and cuts long values with …', () => {
    const hostile = ds({ PatientName: 'Evil\u001b[2J\u001b]0;pwned\u0007^Name', PatientID: 'X'.repeat(60), StudyDescription: 'line1\nline2' });
    const out = renderTable([hostile], FIND_COLUMNS.STUDY);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(out).toContain('Evil?[2J?]0;pwned?^Name');
    expect(out).toContain(`${'X'.repeat(19)}…`);
    expect(out).toContain('line1?line2');
    expect(out.split('\n')).toHaveLength(3);
  });

  it('worklist columns read the Scheduled Procedure Step item', () => {
    const step = ds({ ScheduledProcedureStepStartDate: '20240131', ScheduledProcedureStepStartTime: '0930', Modality: 'XL', ScheduledStationAETitle: 'CAMERA' });
    const out = renderTable([ds({ PatientName: 'Doe^Jane', ScheduledProcedureStepSequence: [step], RequestedProcedureDescription: 'Wound photo' })], WORKLIST_COLUMNS);
    expect(out.split('\n')[1]).toBe('20240131 0930  XL        CAMERA       Doe^Jane  Wound photo');
  });

  it('columnsWith adds a column per -k attribute not shown yet (not for Specific Character Set or the level)', () => {
    const cols = columnsWith(FIND_COLUMNS.STUDY, [0x00100010, 0x00080005, 0x00080052, 0x00100030], FIND_SHOWN.STUDY);
    expect(cols.map((c) => c.header).slice(-2)).toEqual(['Study Instance UID', 'PatientBirthDate']);
  });

  it('truncate and countMatches', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('山田太郎', 5)).toBe('山田…');
    expect(countMatches(1)).toBe('1 match');
    expect(countMatches(0)).toBe('0 matches');
  });
});

describe('renderJson', () => {
  it('prints a DICOM JSON array, PN as objects with their groups', () => {
    const out = renderJson([ds({ SpecificCharacterSet: 'ISO_IR 192', PatientName: 'Yamada^Tarou=山田^太郎', PatientID: 'A' })]);
    const json = JSON.parse(out) as Record<string, { vr: string; Value?: unknown[] }>[];
    expect(json).toHaveLength(1);
    expect(json[0]!['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎' }] });
    expect(json[0]!['00100020']).toEqual({ vr: 'LO', Value: ['A'] });
    expect(renderJson([])).toBe('[]\n');
  });
});
