/** One Server-Sent Event as the stream delivered it. */
export interface SseMessage {
  /** `event:` field; 'message' when absent. */
  event: string;
  /** `data:` lines joined with '\n'. */
  data: string;
  /** `id:` of this event, or of the last event that had one (the stream's Last-Event-ID). */
  id: string | undefined;
  /** `retry:` the server asked for, in ms. */
  retry?: number;
}

/**
 * Incremental parser of the `text/event-stream` format (WHATWG HTML §9.2): feed it text as it
 * arrives, in chunks cut anywhere, and take the complete events. Comments (heartbeats) and
 * events without data are dropped, as EventSource does.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private retry: number | undefined;
  /** Persists across events, as the spec says: the id to resume from. */
  lastEventId: string | undefined;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      // A lone '\r' at the end may be the first half of '\r\n': wait for more.
      if (end === -1 || (end === this.buffer.length - 1 && this.buffer[end] === '\r')) break;
      const line = this.buffer.slice(0, end);
      const newline = this.buffer.startsWith('\r\n', end) ? 2 : 1;
      this.buffer = this.buffer.slice(end + newline);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
      // Unknown fields are ignored by the spec.
    }
    return null;
  }

  private dispatch(): SseMessage | null {
    const message: SseMessage | null =
      this.data.length === 0
        ? null
        : {
            event: this.event || 'message',
            data: this.data.join('\n'),
            id: this.lastEventId,
            ...(this.retry === undefined ? {} : { retry: this.retry }),
          };
    this.event = '';
    this.data = [];
    return message;
  }
}
