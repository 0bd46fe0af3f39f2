import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

import { csvLine } from './csv';

export type OutputFormat = 'csv' | 'jsonl';

/** `--format`, else the output file's extension (.jsonl/.json/.ndjson), else CSV. */
export function outputFormatOf(path: string | undefined, given?: string): OutputFormat {
  const name = (given ?? (path && path !== '-' ? (path.split('.').pop() ?? '') : '')).toLowerCase();
  if (['jsonl', 'json', 'ndjson'].includes(name)) return 'jsonl';
  if (name === 'csv' || given === undefined) return 'csv';
  throw new Error(`unknown output format "${given}": use csv or jsonl`);
}

/** Records as CSV (a header from the first columns) or JSON lines, with backpressure. */
export class RecordWriter {
  private headerWritten = false;

  private constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly format: OutputFormat,
    private readonly columns: readonly string[],
    private readonly ownsStream: boolean,
  ) {}

  /** To a file (`path`), or stdout when `path` is undefined or '-'. */
  static open(
    path: string | undefined,
    format: OutputFormat,
    columns: readonly string[],
    stdout: NodeJS.WritableStream = process.stdout,
  ): RecordWriter {
    const toFile = path !== undefined && path !== '-';
    const out = toFile ? createWriteStream(path) : stdout;
    return new RecordWriter(out, format, columns, toFile);
  }

  async write(records: readonly Record<string, unknown>[]): Promise<void> {
    let text = '';
    if (this.format === 'csv' && !this.headerWritten) {
      text += csvLine(this.columns);
      this.headerWritten = true;
    }
    for (const r of records) {
      text +=
        this.format === 'csv'
          ? csvLine(this.columns.map((c) => r[c]))
          : `${JSON.stringify(Object.fromEntries(this.columns.map((c) => [c, r[c] ?? null])))}\n`;
    }
    if (text !== '' && !this.out.write(text)) await once(this.out, 'drain');
  }

  /** Writes the CSV header even when nothing came, then closes a file. */
  async close(): Promise<void> {
    await this.write([]);
    if (!this.ownsStream) return;
    const done = once(this.out, 'finish');
    this.out.end();
    await done;
  }
}

/**
 * Holds pieces that finish out of order and releases them in order: piece k is written only
 * after pieces 0..k-1, so the output follows the input whatever order requests finish in.
 */
export class InOrder<T> {
  private next = 0;
  private readonly waiting = new Map<number, T>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly release: (piece: T) => Promise<void>) {}

  async put(index: number, piece: T): Promise<void> {
    this.waiting.set(index, piece);
    // One releaser at a time, so two puts cannot write the same piece or interleave.
    this.chain = this.chain.then(() => this.drain());
    await this.chain;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const piece = this.waiting.get(this.next);
      if (piece === undefined) return;
      this.waiting.delete(this.next);
      this.next += 1;
      await this.release(piece);
    }
  }

  /** Pieces released so far. */
  get released(): number {
    return this.next;
  }
}
