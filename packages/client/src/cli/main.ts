#!/usr/bin/env node
import { runCli } from './run-cli';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  // First Ctrl-C: stop and cancel what this run submitted. Second: leave at once.
  if (interrupt.signal.aborted) process.exit(130);
  process.stderr.write('\ninterrupted: canceling unfinished requests (Ctrl-C again to quit now)\n');
  interrupt.abort(new Error('interrupted'));
});
// A reader that closed our stdout (`| head`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: interrupt.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `openad-async: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
