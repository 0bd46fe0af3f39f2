import { connect, type Socket } from 'node:net';

import { TestStack } from '../support/stack';

/** Sends one request on `socket` and resolves with the status line of its answer. */
function statusLine(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (end >= 0 && length && text.length >= end + 4 + Number(length[1])) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(text.split('\r\n')[0]!);
      }
    };
    const onClose = () => reject(new Error('connection closed by the server'));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write('GET /healthz HTTP/1.1\r\nHost: api\r\nConnection: keep-alive\r\n\r\n');
  });
}

describe('idle keep-alive connections (a load balancer reuses them)', () => {
  const stack = new TestStack();
  let port: number;

  beforeAll(async () => {
    port = Number(new URL(await stack.startApi()).port);
  });
  afterAll(() => stack.close());

  it("when a connection idles past Node's 5 s default, then the api still answers on it", async () => {
    const socket = connect(port, '127.0.0.1');
    try {
      expect(await statusLine(socket)).toBe('HTTP/1.1 200 OK');
      await new Promise((r) => setTimeout(r, 6000));
      expect(socket.destroyed).toBe(false);
      expect(await statusLine(socket)).toBe('HTTP/1.1 200 OK');
    } finally {
      socket.destroy();
    }
  }, 20_000);
});
