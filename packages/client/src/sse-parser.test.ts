import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('when events arrive whole, then each comes out with its name, data and id', () => {
    const p = new SseParser();
    const out = p.push('id: 1-0\nevent: status\ndata: {"a":1}\n\nevent: progress\ndata: x\n\n');
    expect(out).toEqual([
      { event: 'status', data: '{"a":1}', id: '1-0' },
      // The id persists until the server sends another: it is the stream's position.
      { event: 'progress', data: 'x', id: '1-0' },
    ]);
    expect(p.lastEventId).toBe('1-0');
  });

  it('when a stream is cut at every character, then the events are the same', () => {
    const text = 'retry: 2000\r\nid: 7-1\r\nevent: status\r\ndata: one\r\ndata: two\r\n\r\n';
    const p = new SseParser();
    const out = [...text].flatMap((c) => p.push(c));
    expect(out).toEqual([{ event: 'status', data: 'one\ntwo', id: '7-1', retry: 2000 }]);
  });

  it('when comments (heartbeats) and data-less events come, then nothing is emitted', () => {
    const p = new SseParser();
    expect(p.push(': ping\n\n:\n\nevent: status\n\nid: 3-0\n\n')).toEqual([]);
    expect(p.lastEventId).toBe('3-0');
  });

  it('when a field has no space after the colon or no value, then it reads as the spec says', () => {
    const p = new SseParser();
    expect(p.push('data:x\ndata\nevent:e\n\n')).toEqual([
      { event: 'e', data: 'x\n', id: undefined },
    ]);
  });
});
