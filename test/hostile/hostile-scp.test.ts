/**
 * Issue 3, the SCU side: `connect()` and `echo()` against a hostile SCP (garbage bytes, an A-ASSOCIATE-AC that
 * accepts nothing, malformed responses, silence) end with a typed DicomError in bounded time — never a crash or a
 * hang — and `portico echo` exits non-zero with one line on stderr and no stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AssociationAbortedError, AssociationRejectedError, DicomError, NetworkError, NetworkTimeoutError } from '../../src/core/errors.js';
import { connect } from '../../src/net/ae.js';
import type { Association } from '../../src/net/acse/association.js';
import { encodeCommand } from '../../src/net/dimse/command-set.js';
import { echo } from '../../src/services/verification/scu.js';
import {
  abortPdu,
  associateAc,
  ascii,
  COMMAND_LAST,
  concat,
  pDataTf,
  pdu,
  pduHeader,
  releaseRp,
  T,
  u32,
  VERIFICATION_SOP_CLASS,
} from './pdu-bytes.js';
import { type Script, type ScriptedScp, scriptedScp, write } from './scripted-scp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONNECT_MS = 1000;
const DIMSE_MS = 1000;
/** Every failure must arrive within its timeout plus this. */
const SLACK_MS = 1500;

const scps: ScriptedScp[] = [];
const associations: Association[] = [];

afterEach(async () => {
  for (const a of associations.splice(0)) a.abort();
  for (const s of scps.splice(0)) await s.close();
});

afterAll(async () => {
  for (const a of associations.splice(0)) a.abort();
  for (const s of scps.splice(0)) await s.close();
});

async function hostile(script: Script): Promise<ScriptedScp> {
  const scp = await scriptedScp(script);
  scps.push(scp);
  return scp;
}

function associate(port: number): Promise<Association> {
  return connect(
    { aeTitle: 'HOSTILE', host: '127.0.0.1', port },
    { aeTitle: 'PORTICO', contexts: [{ abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: ['1.2.840.10008.1.2'] }], connectTimeout: CONNECT_MS, dimseTimeout: DIMSE_MS },
  ).then((a) => {
    associations.push(a);
    return a;
  });
}

/** Runs `work`, expecting it to reject with a DicomError within `withinMs`; returns the error. */
async function failure(work: () => Promise<unknown>, withinMs: number): Promise<DicomError> {
  const started = performance.now();
  const outcome = await work().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const elapsed = performance.now() - started;
  expect(outcome.ok, 'the operation must fail').toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error).toBeInstanceOf(DicomError);
  expect(elapsed).toBeLessThan(withinMs);
  return error as DicomError;
}

/** Accepts the association (Verification on context 1), answers A-RELEASE-RQ, and hands P-DATA to `onData`. */
function accepting(onData: (body: Uint8Array, socket: Socket) => void, ac = associateAc()): Script {
  return {
    onPdu(type, body, { socket }) {
      if (type === T.RQ) write(socket, ac);
      else if (type === T.DATA) onData(body, socket);
      else if (type === T.RELEASE_RQ) {
        write(socket, releaseRp());
        socket.end();
      }
    },
  };
}

/** The Message ID of the C-ECHO-RQ in a received P-DATA-TF body (one PDV, command, Implicit VR LE). */
function messageIdOf(body: Uint8Array): number {
  const cmd = Buffer.from(body.subarray(6));
  for (let pos = 0; pos + 8 <= cmd.length; ) {
    const group = cmd.readUInt16LE(pos);
    const element = cmd.readUInt16LE(pos + 2);
    const length = cmd.readUInt32LE(pos + 4);
    if (group === 0 && element === 0x0110) return cmd.readUInt16LE(pos + 8);
    pos += 8 + length;
  }
  return 1;
}

const echoRsp = (messageId: number, status = 0): Uint8Array =>
  encodeCommand({ commandField: 0x8030, messageIdBeingRespondedTo: messageId, affectedSopClassUid: VERIFICATION_SOP_CLASS, status, hasDataset: false });

describe('connect() against a hostile SCP', () => {
  it('garbage bytes (an HTTP answer) instead of an A-ASSOCIATE-AC: AssociationAbortedError (2, 1)', async () => {
    const scp = await hostile({ onPdu: (_t, _b, { socket }) => write(socket, ascii('HTTP/1.1 400 Bad Request\r\n\r\n')) });
    const error = await failure(() => associate(scp.port), SLACK_MS);
    expect(error).toBeInstanceOf(AssociationAbortedError);
    expect(error).toMatchObject({ source: 2, reason: 1 });
  });

  it('random binary bytes right after TCP connect: a typed error', async () => {
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) & 0xff;
    const scp = await hostile({ onConnect: (socket) => write(socket, noise) });
    const error = await failure(() => associate(scp.port), SLACK_MS);
    expect([AssociationAbortedError, NetworkError].some((c) => error instanceof c)).toBe(true);
  });

  it('an A-ASSOCIATE-AC declaring 0xFFFFFFFF bytes: AssociationAbortedError (2, 6)', async () => {
    const scp = await hostile({ onPdu: (_t, _b, { socket }) => write(socket, pduHeader(T.AC, 0xffffffff)) });
    const error = await failure(() => associate(scp.port), SLACK_MS);
    expect(error).toBeInstanceOf(AssociationAbortedError);
    expect(error).toMatchObject({ source: 2, reason: 6 });
  });

  it('an A-ASSOCIATE-RJ with out-of-range fields: AssociationRejectedError carrying them', async () => {
    const scp = await hostile({ onPdu: (_t, _b, { socket }) => write(socket, pdu(T.RJ, Uint8Array.of(0, 9, 9, 9))) });
    const error = await failure(() => associate(scp.port), SLACK_MS);
    expect(error).toBeInstanceOf(AssociationRejectedError);
    expect(error).toMatchObject({ result: 9, source: 9, reason: 9 });
  });

  it('silence after TCP connect: NetworkTimeoutError after connectTimeout', async () => {
    const scp = await hostile({});
    const error = await failure(() => associate(scp.port), CONNECT_MS + SLACK_MS);
    expect(error).toBeInstanceOf(NetworkTimeoutError);
  });

  it('the connection closed on arrival of the A-ASSOCIATE-RQ: NetworkError or A-P-ABORT (Sta5 + Evt17 is AA-4)', async () => {
    const scp = await hostile({ onPdu: (_t, _b, { socket }) => socket.destroy() });
    const error = await failure(() => associate(scp.port), SLACK_MS);
    expect([AssociationAbortedError, NetworkError].some((c) => error instanceof c)).toBe(true);
  });
});

describe('echo() against a hostile SCP', () => {
  it('an A-ASSOCIATE-AC that accepts no context: a DicomError from echo(), and the association still releases', async () => {
    const scp = await hostile(accepting(() => undefined, associateAc(1, 3)));
    const association = await associate(scp.port);
    const error = await failure(() => echo(association), SLACK_MS);
    expect(error.code).toBe('ERR_NO_CONTEXT');
    await association.release();
    expect(association.outcome).toBe('released');
  });

  it('an A-ASSOCIATE-AC that accepts a context we never proposed: a DicomError from echo()', async () => {
    const scp = await hostile(accepting(() => undefined, associateAc(5, 0)));
    const association = await associate(scp.port);
    const error = await failure(() => echo(association), SLACK_MS);
    expect(error.code).toBe('ERR_NO_CONTEXT');
  });

  it.each([
    ['garbage command bytes', () => new Uint8Array(24).fill(0xff)],
    ['a command whose group length lies', () => concat([Uint8Array.of(0, 0, 0, 0, 4, 0, 0, 0), u32(0xffffffff)])],
    ['a C-ECHO-RSP without a status', () => encodeCommand({ commandField: 0x8030, messageIdBeingRespondedTo: 1, hasDataset: false })],
    ['an empty command set', () => new Uint8Array(0)],
  ])('a P-DATA-TF with %s: a typed error, no hang', async (_name, command) => {
    const scp = await hostile(accepting((_b, socket) => write(socket, pDataTf([{ contextId: 1, control: COMMAND_LAST, data: command() }]))));
    const association = await associate(scp.port);
    await failure(() => echo(association), DIMSE_MS + SLACK_MS);
  });

  it('a C-STORE-RSP (Success, right Message ID) in answer to the C-ECHO-RQ: not taken for a C-ECHO success', async () => {
    // PS3.7 §9.3.5: the answer to a C-ECHO-RQ is a C-ECHO-RSP (Command Field 8030H). A response of another kind that
    // happens to carry the Message ID is a protocol error, not a successful echo.
    const store = (id: number): Uint8Array => encodeCommand({ commandField: 0x8001, messageIdBeingRespondedTo: id, affectedSopClassUid: VERIFICATION_SOP_CLASS, affectedSopInstanceUid: '1.2.3', status: 0, hasDataset: false });
    const scp = await hostile(accepting((body, socket) => write(socket, pDataTf([{ contextId: 1, control: COMMAND_LAST, data: store(messageIdOf(body)) }]))));
    const association = await associate(scp.port);
    await failure(() => echo(association), DIMSE_MS + SLACK_MS);
  });

  it('a malformed response command: the error says what was wrong, not only "the association was aborted"', async () => {
    const scp = await hostile(accepting((_b, socket) => write(socket, pDataTf([{ contextId: 1, control: COMMAND_LAST, data: new Uint8Array(24).fill(0xff) }]))));
    const association = await associate(scp.port);
    const error = await failure(() => echo(association), SLACK_MS);
    // The association aborts itself on the bad message (A-ABORT source 0); the caller should learn why.
    const said = `${error.message} ${String((error as Error & { cause?: unknown }).cause ?? '')}`;
    expect(said).not.toBe('the association was aborted ');
    expect(said).toMatch(/command|DIMSE|decode|invalid|malformed/i);
  });

  it('a C-ECHO-RSP for another Message ID: a typed error, no hang', async () => {
    const scp = await hostile(accepting((body, socket) => write(socket, pDataTf([{ contextId: 1, control: COMMAND_LAST, data: echoRsp(messageIdOf(body) + 1) }]))));
    const association = await associate(scp.port);
    await failure(() => echo(association), DIMSE_MS + SLACK_MS);
  });

  it('a data set fragment where the response command was due: AssociationAbortedError', async () => {
    const scp = await hostile(accepting((_b, socket) => write(socket, pDataTf([{ contextId: 1, control: 0x02, data: new Uint8Array(16) }]))));
    const association = await associate(scp.port);
    const error = await failure(() => echo(association), SLACK_MS);
    expect(error).toBeInstanceOf(AssociationAbortedError);
  });

  it('a PDV with an item-length past its PDU: AssociationAbortedError', async () => {
    const scp = await hostile(accepting((body, socket) => write(socket, pDataTf([{ contextId: 1, control: COMMAND_LAST, data: echoRsp(messageIdOf(body)), declared: 4096 }]))));
    const association = await associate(scp.port);
    const error = await failure(() => echo(association), SLACK_MS);
    expect(error).toBeInstanceOf(AssociationAbortedError);
  });

  it('an A-ABORT in answer to the C-ECHO-RQ: AssociationAbortedError with the peer’s source and reason', async () => {
    const scp = await hostile(accepting((_b, socket) => write(socket, abortPdu(2, 6))));
    const association = await associate(scp.port);
    const error = await failure(() => echo(association), SLACK_MS);
    expect(error).toBeInstanceOf(AssociationAbortedError);
    expect(error).toMatchObject({ source: 2, reason: 6 });
  });

  it('the connection closed in answer to the C-ECHO-RQ: a typed error', async () => {
    const scp = await hostile(accepting((_b, socket) => socket.destroy()));
    const association = await associate(scp.port);
    await failure(() => echo(association), SLACK_MS);
  });

  it('silence after the C-ECHO-RQ: NetworkTimeoutError after dimseTimeout', async () => {
    const scp = await hostile(accepting(() => undefined));
    const association = await associate(scp.port);
    const error = await failure(() => echo(association), DIMSE_MS + SLACK_MS);
    expect(error).toBeInstanceOf(NetworkTimeoutError);
  });

  it('a Maximum Length of 1 in the A-ASSOCIATE-AC: a typed error, no endless fragmenting', async () => {
    const scp = await hostile(accepting(() => undefined, associateAc(1, 0, 1)));
    const association = await associate(scp.port);
    await failure(() => echo(association), SLACK_MS);
  });

  it('a well-behaved reply after all that still works (the scripted SCP is sound)', async () => {
    const scp = await hostile(accepting((body, socket) => write(socket, pDataTf([{ contextId: 1, control: COMMAND_LAST, data: echoRsp(messageIdOf(body)) }]))));
    const association = await associate(scp.port);
    await expect(echo(association)).resolves.toMatchObject({ status: 0 });
    await association.release();
  });
});

describe('portico echo (the CLI) against a hostile SCP', () => {
  beforeAll(() => {
    if (existsSync(`${ROOT}dist/src/cli/main.js`)) return;
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
  });

  async function cli(port: number): Promise<{ code: number | null; stderr: string; stdout: string; elapsed: number }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/portico', 'echo', `HOSTILE@127.0.0.1:${port}`, '--timeout', '1'], { cwd: ROOT });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`portico echo did not exit within 15 s (stderr: ${stderr})`));
      }, 15_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr, stdout, elapsed: performance.now() - started });
      });
    });
  }

  it.each([
    ['garbage bytes', { onPdu: (_t: number, _b: Uint8Array, { socket }: { socket: Socket }) => write(socket, ascii('HTTP/1.1 400 Bad Request\r\n\r\n')) }],
    ['silence', {}],
    ['a C-ECHO-RSP of garbage', accepting((_b, socket) => write(socket, pDataTf([{ contextId: 1, control: COMMAND_LAST, data: new Uint8Array(24).fill(0xff) }])))],
  ] as [string, Script][])('%s: exit code non-zero, one line on stderr, no stack trace', async (_name, script) => {
    const scp = await hostile(script);
    const { code, stderr, elapsed } = await cli(scp.port);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const lines = stderr.trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^portico echo: \S/);
    expect(stderr).not.toMatch(/\n\s+at\s/);
    expect(elapsed).toBeLessThan(10_000);
    console.info(`[hostile] portico echo → exit ${code}: ${lines[0]}`);
  });
});
