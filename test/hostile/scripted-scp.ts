/**
 * A hostile SCP for the SCU-side tests: a raw `net.Server` on 127.0.0.1, port 0, that frames what the client sends
 * into PDUs (type + 4-byte length) and lets a script answer each one with whatever bytes it likes.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface ScriptContext {
  readonly socket: Socket;
  /** How many PDUs this connection has received before this one. */
  readonly index: number;
}

/** Called once per connection, then for every PDU the client sends (type and body). */
export interface Script {
  onConnect?(socket: Socket): void;
  onPdu?(type: number, body: Uint8Array, context: ScriptContext): void;
}

export interface ScriptedScp {
  readonly port: number;
  /** PDU types received, per connection, in order. */
  readonly received: number[][];
  close(): Promise<void>;
}

/** Caps what one connection may send us before we hang up (a bound, not a protocol rule). */
const MAX_BUFFER = 1024 * 1024;

export async function scriptedScp(script: Script): Promise<ScriptedScp> {
  const sockets = new Set<Socket>();
  const received: number[][] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const log: number[] = [];
    received.push(log);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > MAX_BUFFER) {
        socket.destroy();
        return;
      }
      while (buffer.length >= 6 && !socket.destroyed) {
        const length = buffer.readUInt32BE(2);
        if (buffer.length < 6 + length) break;
        const type = buffer[0]!;
        const body = new Uint8Array(buffer.subarray(6, 6 + length));
        buffer = buffer.subarray(6 + length);
        const index = log.length;
        log.push(type);
        script.onPdu?.(type, body, { socket, index });
      }
    });
    script.onConnect?.(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    received,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes bytes unless the socket is gone. */
export function write(socket: Socket, bytes: Uint8Array): void {
  if (!socket.destroyed && socket.writable) socket.write(bytes);
}
