import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApiNetworkError } from './errors';
import { OpenadClient } from './openad-client';

const ID = '6f1c1d4e-0000-4000-8000-000000000001';
const record = (status: string) => ({
  request_id: ID,
  status,
  created_at: '2026-01-01T00:00:00.000Z',
  elapsed_time: '1.00s',
});

/** A stand-in service over real HTTP: each test says how its routes answer. */
async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; seen: IncomingMessage[]; close(): Promise<void> }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('wait', () => {
  it('when the service has no event stream, then it polls, and stops asking for the stream', async () => {
    let polls = 0;
    const svc = await serve((req, res) => {
      if (req.url?.endsWith('/events')) {
        return json(res, 404, { detail: { error: 'Route not found', code: 'NOT_FOUND' } });
      }
      polls += 1;
      json(res, 200, record(polls < 3 ? 'processing' : 'completed'));
    });
    try {
      const client = new OpenadClient({ url: svc.url });
      const statuses: string[] = [];
      const done = await client.wait(ID, {
        pollInitialMs: 10,
        onUpdate: (e) => e.type === 'status' && statuses.push(e.record.status),
      });
      expect(done.status).toBe('completed');
      expect(statuses).toEqual(['processing', 'completed']);
      polls = 10;
      await client.wait(ID, { pollInitialMs: 10 });
      expect(svc.seen.filter((r) => r.url?.endsWith('/events'))).toHaveLength(1);
    } finally {
      await svc.close();
    }
  });

  it('when the event stream drops, then it reconnects with Last-Event-ID and resumes', async () => {
    let streams = 0;
    const svc = await serve((req, res) => {
      streams += 1;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (streams === 1) {
        res.end(`id: 5-0\nevent: status\ndata: ${JSON.stringify(record('processing'))}\n\n`);
      } else {
        res.end(`id: 9-0\nevent: status\ndata: ${JSON.stringify(record('completed'))}\n\n`);
      }
    });
    try {
      const done = await new OpenadClient({ url: svc.url }).wait(ID, { mode: 'sse' });
      expect(done.status).toBe('completed');
      expect(svc.seen.map((r) => r.headers['last-event-id'])).toEqual([undefined, '5-0']);
    } finally {
      await svc.close();
    }
  });

  it('when an open stream goes silent, then it fails as a network error instead of hanging', async () => {
    const svc = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': hello\n\n');
    });
    try {
      const stream = new OpenadClient({ url: svc.url }).events(ID, { idleTimeoutMs: 200 });
      await expect(stream.next()).rejects.toBeInstanceOf(ApiNetworkError);
    } finally {
      await svc.close();
    }
  });

  it('when a wait has a timeout, then it ends with WaitTimeoutError while the request goes on', async () => {
    const svc = await serve((req, res) => {
      if (req.url?.endsWith('/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`id: 1-0\nevent: status\ndata: ${JSON.stringify(record('pending'))}\n\n`);
        return;
      }
      json(res, 200, record('pending'));
    });
    try {
      const err = await new OpenadClient({ url: svc.url })
        .wait(ID, { timeoutMs: 150 })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'WAIT_TIMEOUT', requestId: ID });
    } finally {
      await svc.close();
    }
  });
});
