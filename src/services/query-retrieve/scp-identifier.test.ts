import { describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { writeDicom } from '../../encoding/write.js';
import { decodeRequestIdentifier, encodeResponseIdentifier, IdentifierDecodeError } from './scp-identifier.js';

const EXPLICIT = '1.2.840.10008.1.2.1';
const IMPLICIT = '1.2.840.10008.1.2';
const BIG = '1.2.840.10008.1.2.2';

describe('decodeRequestIdentifier', () => {
  it('reads an Identifier in each uncompressed syntax', () => {
    const ds = new Dataset();
    ds.set('QueryRetrieveLevel', 'STUDY');
    ds.set('PatientName', 'Doe^John');
    ds.set('NumberOfStudyRelatedInstances', '');
    for (const ts of [EXPLICIT, IMPLICIT, BIG]) {
      const back = decodeRequestIdentifier(writeDicom(ds, { part10: false, transferSyntax: ts }), ts);
      expect(back.string('PatientName')).toBe('Doe^John');
      expect(back.string('QueryRetrieveLevel')).toBe('STUDY');
    }
  });

  it('a string key sent as UN (too long for an explicit VR 16-bit length) is read with its dictionary VR', () => {
    const value = Buffer.from('A'.repeat(65536));
    // (0010,0010) UN, 4-byte length, the characters of the name.
    const header = Buffer.from([0x10, 0x00, 0x10, 0x00, 0x55, 0x4e, 0, 0, 0, 0, 0, 0]);
    header.writeUInt32LE(value.length, 8);
    const back = decodeRequestIdentifier(Buffer.concat([header, value]), EXPLICIT);
    expect(back.get('PatientName')!.vr).toBe('PN');
    expect(back.string('PatientName')).toBe('A'.repeat(65536));
  });

  it('no Identifier, bytes that are not a dataset, a compressed syntax: IdentifierDecodeError', () => {
    expect(() => decodeRequestIdentifier(undefined, EXPLICIT)).toThrow(IdentifierDecodeError);
    expect(() => decodeRequestIdentifier(new Uint8Array([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0xff, 0x7f]), EXPLICIT)).toThrow(/cannot be parsed/);
    expect(() => decodeRequestIdentifier(new Uint8Array(8), '1.2.840.10008.1.2.4.50')).toThrow(IdentifierDecodeError);
  });
});

describe('encodeResponseIdentifier', () => {
  const match = (name: string): Dataset => {
    const d = new Dataset();
    d.set('PatientName', name);
    return d;
  };

  it('no Specific Character Set when the query had none and the values are ASCII', async () => {
    const back = decodeRequestIdentifier(await encodeResponseIdentifier(match('Doe^John'), EXPLICIT, []), EXPLICIT);
    expect(back.has('SpecificCharacterSet')).toBe(false);
  });

  it('the query\'s character set when the values fit, ISO_IR 192 when they do not', async () => {
    const latin = decodeRequestIdentifier(await encodeResponseIdentifier(match('Müller'), IMPLICIT, ['ISO_IR 100']), IMPLICIT);
    expect(latin.strings('SpecificCharacterSet')).toEqual(['ISO_IR 100']);
    expect(latin.string('PatientName')).toBe('Müller');
    const japanese = decodeRequestIdentifier(await encodeResponseIdentifier(match('ヤマダ^タロウ'), IMPLICIT, ['ISO_IR 100']), IMPLICIT);
    expect(japanese.strings('SpecificCharacterSet')).toEqual(['ISO_IR 192']);
    expect(japanese.string('PatientName')).toBe('ヤマダ^タロウ');
    const iso2022 = decodeRequestIdentifier(await encodeResponseIdentifier(match('ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎'), EXPLICIT, ['ISO 2022 IR 13', 'ISO 2022 IR 87']), EXPLICIT);
    expect(iso2022.strings('SpecificCharacterSet')).toEqual(['ISO 2022 IR 13', 'ISO 2022 IR 87']);
    expect(iso2022.string('PatientName')).toBe('ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎');
  });

  it('a Specific Character Set that is not valid: the answer is in ISO_IR 192', async () => {
    const back = decodeRequestIdentifier(await encodeResponseIdentifier(match('Doe'), EXPLICIT, ['NOT A CHARSET']), EXPLICIT);
    expect(back.strings('SpecificCharacterSet')).toEqual(['ISO_IR 192']);
  });
});
