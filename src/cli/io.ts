/** Where a command writes, so that tests can run commands in-process. */
export interface Io {
  out(text: string): void;
  err(line: string): void;
  exitCode: number;
}

export const processIo = (): Io => ({
  out: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
  exitCode: 0,
});
