import { SpecificCharacterSet } from './charset/specific-character-set.js';

/**
 * What a raw value needs to be decoded: the byte order it was written in and the character set in force
 * where it was read. Immutable; a dataset that declares its own (0008,0005) gets a new context.
 */
export interface DecodeContext {
  readonly littleEndian: boolean;
  readonly charset: SpecificCharacterSet;
}

export const LITTLE_ENDIAN_DEFAULT: DecodeContext = Object.freeze({
  littleEndian: true,
  charset: SpecificCharacterSet.DEFAULT,
});
export const BIG_ENDIAN_DEFAULT: DecodeContext = Object.freeze({
  littleEndian: false,
  charset: SpecificCharacterSet.DEFAULT,
});

export const withCharset = (ctx: DecodeContext, charset: SpecificCharacterSet): DecodeContext =>
  Object.freeze({ littleEndian: ctx.littleEndian, charset });
