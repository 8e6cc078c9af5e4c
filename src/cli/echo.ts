import type { Command } from 'commander';
import { type Peer, connect } from '../net/ae.js';
import { ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../encoding/transfer-syntax.js';
import { echo } from '../services/verification/scu.js';
import { VerificationSOPClass } from '../services/verification/uids.js';
import { describeError } from './errors.js';
import type { Io } from './io.js';
import { CONFIG_HELP, peerOrName, withConfigAndPeer } from './config-option.js';
import { aeTitle, clientConnection, positiveInt, seconds } from './peer-option.js';

interface EchoOptions {
  readonly aet: string;
  readonly repeat: number;
  readonly timeout: number;
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly config?: string;
}

/** `portico echo AET@host:port`: C-ECHO, round-trip times, exit 0 on success. */
export function registerEcho(program: Command, io: Io): void {
  program
    .command('echo')
    .description('send C-ECHO (Verification) to a peer and print the round-trip time')
    .argument('<peer>', 'AET@host:port, or the name of a remote in the config', peerOrName)
    .option('--aet <title>', 'our calling AE title', aeTitle, 'PORTICO')
    .option('--repeat <n>', 'C-ECHOs to send on the association', positiveInt, 1)
    .option('--timeout <seconds>', 'time to connect and for each response', seconds, 30)
    .option('--json', 'print the result as JSON')
    .option('--config <file>', CONFIG_HELP)
    .option('-v, --verbose', 'log association and PDU detail (JSON lines on stderr)')
    .action(async (target: string, options: EchoOptions, command: Command) => {
      await withConfigAndPeer('echo', target, options, command, io, (peer, merged) => runEcho(peer, merged, io));
    });
}

export async function runEcho(peer: Peer, options: EchoOptions, io: Io): Promise<number> {
  const where = `${peer.aeTitle}@${peer.host}:${peer.port}`;
  const times: number[] = [];
  try {
    const association = await connect(peer, {
      ...clientConnection(options),
      contexts: [{ abstractSyntax: VerificationSOPClass, transferSyntaxes: [ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian] }],
    });
    try {
      for (let i = 0; i < options.repeat; i++) {
        const { roundTripMs } = await echo(association);
        times.push(roundTripMs);
        if (!options.json) io.out(`C-ECHO ${where}: success in ${roundTripMs.toFixed(2)} ms\n`);
      }
      await association.release();
    } catch (error) {
      association.abort();
      throw error;
    }
  } catch (error) {
    // Every error line names the peer (errors raised on the association may not).
    const text = describeError(error, false);
    const line = text.includes(`${peer.host}:${peer.port}`) ? text : `${where}: ${text}`;
    if (options.json) io.out(`${JSON.stringify({ peer: where, ok: false, error: line, code: (error as { code?: string }).code, echoes: times.length })}\n`);
    io.err(`portico echo: ${options.verbose ? describeError(error, true) : line}`);
    return 1;
  }
  if (options.json) {
    io.out(`${JSON.stringify({ peer: where, ok: true, echoes: times.length, roundTripMs: times.map((t) => Math.round(t * 1000) / 1000) })}\n`);
  } else if (times.length > 1) {
    const sorted = [...times].sort((a, b) => a - b);
    const avg = times.reduce((a, b) => a + b, 0) / times.length;
    io.out(`${times.length} C-ECHOs: min ${sorted[0]!.toFixed(2)} ms, avg ${avg.toFixed(2)} ms, max ${sorted[sorted.length - 1]!.toFixed(2)} ms\n`);
  }
  return 0;
}
