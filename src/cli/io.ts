/** Where a command writes, so that tests can run commands in-process. */
export interface Io {
  out(text: string): void;
  err(line: string): void;
  exitCode: number;
}

export const processIo = (): Io => {
  // `portico ls | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    out: (text) => process.stdout.write(text),
    err: (line) => process.stderr.write(`${line}\n`),
    exitCode: 0,
  };
};
