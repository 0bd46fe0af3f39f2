import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { InOrder, RecordWriter, outputFormatOf } from './output-writer';

describe('output', () => {
  it.each([
    [undefined, undefined, 'csv'],
    ['out.jsonl', undefined, 'jsonl'],
    ['out.json', undefined, 'jsonl'],
    ['out.txt', undefined, 'csv'],
    ['out.csv', 'jsonl', 'jsonl'],
  ])('when the output is %s (format %s), then it is %s', (path, given, format) => {
    expect(outputFormatOf(path, given)).toBe(format);
  });

  it('when records go to stdout as CSV, then a header comes first, once', async () => {
    const out = new PassThrough();
    const w = RecordWriter.open(undefined, 'csv', ['row', 'subject', 'mw', 'error'], out);
    await w.write([{ row: 1, subject: 'CCO', mw: 46.07, error: null }]);
    await w.write([{ row: 2, subject: 'x,y', error: 'bad' }]);
    await w.close();
    expect(String(out.read())).toBe('row,subject,mw,error\n1,CCO,46.07,\n2,"x,y",,bad\n');
  });

  it('when nothing is written as CSV, then the header is still there', async () => {
    const out = new PassThrough();
    await RecordWriter.open('-', 'csv', ['a', 'b'], out).close();
    expect(String(out.read())).toBe('a,b\n');
  });

  it('when records go to a JSON-lines file, then each line has every column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openad-cli-'));
    try {
      const path = join(dir, 'out.jsonl');
      const w = RecordWriter.open(path, 'jsonl', ['row', 'mw', 'error']);
      await w.write([{ row: 1, mw: 46.07 }]);
      await w.close();
      expect(readFileSync(path, 'utf8')).toBe('{"row":1,"mw":46.07,"error":null}\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when pieces finish out of order, then they are released in order', async () => {
    const seen: string[] = [];
    const ordered = new InOrder<string>(async (p) => {
      await new Promise((r) => setTimeout(r, 1));
      seen.push(p);
    });
    await Promise.all([ordered.put(2, 'c'), ordered.put(1, 'b')]);
    expect(seen).toEqual([]);
    await ordered.put(0, 'a');
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(ordered.released).toBe(3);
  });
});
