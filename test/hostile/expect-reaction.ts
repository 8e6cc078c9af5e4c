/**
 * Assertions shared by the hostile tests: the server reacted as PS3.8 says within a bounded time, closed the
 * connection, and a well-behaved client is still served afterwards.
 */
import { expect } from 'vitest';
import { ARTIM_MS, echoOnce, rawAssociated } from './fixture.js';
import { type Reaction, RawPeer } from './raw-peer.js';

/** How long a reaction may take: "at once" on loopback, with room for a loaded CI machine. */
export const PROMPT_MS = 1000;
/** After an A-ABORT the server closes when its ARTIM timer expires (or earlier); this leaves room for load. */
export const CLOSE_MS = ARTIM_MS + 1500;

export interface Attack {
  readonly peer: RawPeer;
  readonly reaction: Reaction;
  /** ms since connect when the hostile bytes started going out. */
  readonly sentAt: number;
}

/** Sends `pieces` (one write each) from a new raw connection and returns the server's reaction. */
export async function attack(port: number, pieces: readonly Uint8Array[], timeoutMs = PROMPT_MS): Promise<Attack> {
  const peer = await RawPeer.connect(port);
  const sentAt = peer.now();
  for (const piece of pieces) await peer.send(piece);
  return { peer, sentAt, reaction: await peer.reaction(timeoutMs) };
}

/** As `attack`, on a connection whose association (Verification on context 1) was accepted first. */
export async function attackAssociated(port: number, pieces: readonly Uint8Array[], timeoutMs = PROMPT_MS): Promise<Attack> {
  const peer = await rawAssociated(port);
  const sentAt = peer.now();
  for (const piece of pieces) await peer.send(piece);
  return { peer, sentAt, reaction: await peer.reaction(timeoutMs, 1) };
}

/** An A-ABORT with this source and reason, promptly, then the connection closed by the server. */
export async function expectAbort({ peer, reaction, sentAt }: Attack, source: number, reason: number): Promise<void> {
  expect(reaction).toMatchObject({ kind: 'abort', source, reason });
  expect(reaction.at - sentAt).toBeLessThan(PROMPT_MS);
  expect(await peer.waitClosed(CLOSE_MS), 'the server closes the connection after its A-ABORT').toBe(true);
}

/** The server still answers a normal association: connect, C-ECHO, release. */
export async function expectStillServing(port: number): Promise<void> {
  const rtt = await echoOnce(port);
  expect(rtt).toBeGreaterThanOrEqual(0);
}
