/** What the bar shows: requests and subjects (or generation steps) done out of all. */
export interface ProgressState {
  requestsDone: number;
  requestsTotal: number;
  unitsDone: number;
  unitsTotal: number;
}

export interface ProgressBarOptions {
  /** Where it draws; usually stderr, so results on stdout stay clean. */
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Word for the units. @defaultValue 'subjects' */
  unit?: string;
  /** Plain-line mode: at most one line this often (ms). @defaultValue 2000 */
  lineIntervalMs?: number;
  /** TTY mode: at most one redraw this often (ms). @defaultValue 100 */
  redrawIntervalMs?: number;
  now?: () => number;
}

/** `1:05`, `12s`, `2:03:04`: short enough for one terminal line. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** The text of one progress report (no bar): counts, rate since start and ETA. */
export function progressText(p: ProgressState, elapsedMs: number, unit = 'subjects'): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? p.unitsDone / seconds : 0;
  const left = p.unitsTotal - p.unitsDone;
  const eta = left <= 0 ? '0s' : rate > 0 ? formatDuration(left / rate) : '?';
  const rateText = rate >= 10 ? rate.toFixed(0) : rate.toFixed(1);
  return (
    `${p.requestsDone}/${p.requestsTotal} requests  ${p.unitsDone}/${p.unitsTotal} ${unit}  ` +
    `${rateText} ${unit}/s  ETA ${eta}`
  );
}

/** `[#######-------]` of `width` cells for a fraction in [0, 1]. */
export function barText(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/**
 * One progress bar redrawn in place on a terminal; on anything else (a file, a CI log) plain
 * lines, not too often, so logs stay readable.
 */
export class ProgressBar {
  private readonly started: number;
  private lastDraw = -Infinity;
  private drawn = false;
  private state: ProgressState = { requestsDone: 0, requestsTotal: 0, unitsDone: 0, unitsTotal: 0 };
  private readonly now: () => number;

  constructor(private readonly o: ProgressBarOptions) {
    this.now = o.now ?? Date.now;
    this.started = this.now();
  }

  private get tty(): boolean {
    return this.o.stream.isTTY === true;
  }

  update(state: ProgressState, force = false): void {
    this.state = state;
    const interval = this.tty ? (this.o.redrawIntervalMs ?? 100) : (this.o.lineIntervalMs ?? 2000);
    if (!force && this.now() - this.lastDraw < interval) return;
    this.lastDraw = this.now();
    const text = progressText(state, this.now() - this.started, this.o.unit);
    if (!this.tty) {
      this.o.stream.write(`progress: ${text}\n`);
      return;
    }
    const width = this.o.stream.columns ?? 80;
    const fraction = state.unitsTotal > 0 ? state.unitsDone / state.unitsTotal : 0;
    const bar = barText(fraction, Math.max(10, Math.min(30, width - text.length - 3)));
    // \r + clear-line: redraw in place; cut to the terminal width so it never wraps.
    this.o.stream.write(`\r\x1b[2K${`${bar} ${text}`.slice(0, width - 1)}`);
    this.drawn = true;
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    this.update(this.state, true);
    if (this.tty && this.drawn) this.o.stream.write('\n');
  }

  /** Writes a message above the bar without garbling it. */
  log(message: string): void {
    if (this.tty && this.drawn) this.o.stream.write('\r\x1b[2K');
    this.o.stream.write(`${message}\n`);
    if (this.tty && this.drawn) this.update(this.state, true);
  }
}
