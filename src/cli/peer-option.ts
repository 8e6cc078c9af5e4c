import { InvalidArgumentError } from 'commander';

export function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${text}' is not a positive whole number`);
  return n;
}

export function seconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`'${text}' is not a number of seconds`);
  return n;
}

export function aeTitle(text: string): string {
  if (text.length === 0 || text.length > 16 || /[\\\x00-\x1f]/.test(text) || text.trim() === '') {
    throw new InvalidArgumentError(`'${text}' is not an AE title (1-16 characters, no backslash or control characters)`);
  }
  return text;
}
