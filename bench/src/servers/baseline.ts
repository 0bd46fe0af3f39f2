/**
 * Baseline servers, one per process, for the ceilings the service is compared with:
 * - node-http: plain node:http; POST parses the JSON body and answers an id.
 * - express: bare Express 5 with express.json(); same answers.
 * - express-queue: the same Express app whose POST does only a raw BullMQ `queue.add` of the
 *   body (the ceiling of an endpoint that enqueues), and whose GET /async/stats answers BullMQ's
 *   job counts of both queues.
 * GET /async/status/:id answers a fixed JSON body (BENCH_STATUS_BODY, a real status record).
 * Env: BENCH_MODE, PORT, BENCH_PREFIX, BENCH_REDIS_URL, BENCH_STATUS_BODY.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';

import { Queue } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';

const mode = process.env.BENCH_MODE ?? 'express';
const port = Number(process.env.PORT ?? 0);
const prefix = process.env.BENCH_PREFIX ?? 'bench-baseline';
const statusBody = process.env.BENCH_STATUS_BODY ?? '{"request_id":"x","status":"completed"}';

function nodeHttp(): http.Server {
  return http.createServer((req, res) => {
    const send = (status: number, body: string) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    };
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          JSON.parse(Buffer.concat(chunks).toString('utf8'));
          send(200, JSON.stringify({ request_id: randomUUID() }));
        } catch {
          send(400, '{"detail":"bad json"}');
        }
      });
      return;
    }
    if (req.url === '/health') return send(200, '"UP"');
    if (req.url?.startsWith('/async/status/')) return send(200, statusBody);
    send(404, '{"detail":"not found"}');
  });
}

function expressApp(queue: { property: Queue; generation: Queue } | null): http.Server {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1024kb' }));
  app.get('/health', (_req, res) => {
    res.json('UP');
  });
  app.get('/async/status/:id', (_req, res) => {
    res.type('application/json').send(statusBody);
  });
  app.post('/service', async (req, res) => {
    const id = randomUUID();
    if (queue) {
      await queue.property.add('inference', req.body as unknown, { jobId: id, priority: 3 });
    }
    res.json({ request_id: id });
  });
  app.get('/async/stats', async (_req, res) => {
    if (!queue) {
      res.json({});
      return;
    }
    const [property, generation] = await Promise.all([
      queue.property.getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
      queue.generation.getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
    ]);
    res.json({ property, generation });
  });
  return http.createServer(app);
}

let server: http.Server;
let queues: { property: Queue; generation: Queue } | null = null;
let redis: Redis | null = null;
if (mode === 'node-http') server = nodeHttp();
else if (mode === 'express') server = expressApp(null);
else if (mode === 'express-queue') {
  redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: 1,
  });
  queues = {
    property: new Queue('property', { connection: redis, prefix }),
    generation: new Queue('generation', { connection: redis, prefix }),
  };
  server = expressApp(queues);
} else {
  throw new Error(`unknown BENCH_MODE ${mode}`);
}
server.listen(port, '127.0.0.1', () => console.log(`baseline ${mode} listening on ${port}`));

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void Promise.all([queues?.property.close(), queues?.generation.close()])
    .then(() => redis?.quit())
    .finally(() => process.exit(0));
});
