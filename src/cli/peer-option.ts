import { InvalidArgumentError } from 'commander';
import { type Peer, parsePeer } from '../net/ae.js';

/** commander parser for `AET@host:port`. */
export function peerArgument(text: string): Peer {
  const peer = parsePeer(text);
  if (!peer) throw new InvalidArgumentError(`'${text}' is not a peer: write it AET@host:port, e.g. ORTHANC@localhost:4242`);
  return peer;
}

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
