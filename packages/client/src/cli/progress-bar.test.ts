import { PassThrough } from 'node:stream';

import { ProgressBar, barText, formatDuration, progressText } from './progress-bar';

describe('progress bar', () => {
  it.each([
    [0, '0s'],
    [59.4, '59s'],
    [65, '1:05'],
    [3723, '1:02:03'],
    [Infinity, '?'],
  ])('when %s seconds remain, then it shows %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });

  it('when some subjects are done, then it shows counts, rate and ETA', () => {
    const text = progressText(
      { requestsDone: 2, requestsTotal: 10, unitsDone: 200, unitsTotal: 1000 },
      4000,
    );
    expect(text).toBe('2/10 requests  200/1000 subjects  50 subjects/s  ETA 16s');
  });

  it('when nothing is done yet, then the ETA is unknown', () => {
    expect(
      progressText({ requestsDone: 0, requestsTotal: 1, unitsDone: 0, unitsTotal: 5 }, 1000),
    ).toContain('ETA ?');
  });

  it('when a fraction is drawn, then the bar has that share filled', () => {
    expect(barText(0.5, 10)).toBe('[#####-----]');
    expect(barText(2, 4)).toBe('[####]');
    expect(barText(Number.NaN, 2)).toBe('[--]');
  });

  it('when the stream is not a terminal, then it writes plain lines, at most one per interval', () => {
    const out = new PassThrough();
    let now = 0;
    const bar = new ProgressBar({ stream: out, lineIntervalMs: 1000, now: () => now });
    const s = { requestsDone: 0, requestsTotal: 2, unitsDone: 0, unitsTotal: 10 };
    bar.update(s);
    now = 500;
    bar.update({ ...s, unitsDone: 5 });
    now = 1500;
    bar.update({ ...s, requestsDone: 1, unitsDone: 6 });
    bar.finish();
    const lines = String(out.read()).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith('progress: '))).toBe(true);
    expect(lines[2]).toContain('1/2 requests  6/10 subjects');
    expect(lines.join('')).not.toContain('\r');
  });

  it('when the stream is a terminal, then it redraws one line in place', () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    const bar = new ProgressBar({ stream: out, redrawIntervalMs: 0 });
    bar.update({ requestsDone: 0, requestsTotal: 1, unitsDone: 1, unitsTotal: 2 });
    bar.finish();
    const text = String(out.read());
    expect(text.startsWith('\r\x1b[2K[')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
  });
});
