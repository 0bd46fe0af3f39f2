import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** All lines of a file, or of stdin for '-'; a missing file is a clear error, not a stack. */
export async function readLines(path: string, stdin: NodeJS.ReadableStream): Promise<string[]> {
  const input: NodeJS.ReadableStream =
    path === '-' ? stdin : createReadStream(path, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => input.once('error', reject));
  const lines: string[] = [];
  const reading = (async () => {
    const rl = createInterface({ input, crlfDelay: Infinity });
    for await (const line of rl)
      lines.push(lines.length === 0 ? line.replace(/^\uFEFF/, '') : line);
    return lines;
  })();
  // An error after the last line must not become an unhandled rejection.
  failed.catch(() => undefined);
  return Promise.race([reading, failed]);
}
