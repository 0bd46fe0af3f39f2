import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { EventLoopLagMonitor, type Logger } from '@openad-async/telemetry';

import type { WorkerMetrics } from './worker-metrics';

export interface MetricsServerOptions {
  metrics: WorkerMetrics;
  /** 0 picks a free port (tests). */
  port: number;
  /** @defaultValue '0.0.0.0' */
  host?: string;
  logger: Logger;
}

/**
 * The worker's small HTTP server: `GET /healthz` (200 while the worker runs, 503 once it is
 * shutting down) and `GET /metrics`. The worker has no other port, so probes and Prometheus
 * come here. Owns the server and the event-loop delay monitor: start() and close().
 */
export class MetricsServer {
  private server: Server | null = null;
  private readonly lag: EventLoopLagMonitor;
  private stopping = false;

  constructor(private readonly o: MetricsServerOptions) {
    this.lag = new EventLoopLagMonitor({ registry: o.metrics.registry });
  }

  async start(): Promise<number> {
    this.lag.start();
    const server = createServer((req, res) => void this.answer(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    this.o.logger.info('worker metrics listening', { port });
    return port;
  }

  /** /healthz starts answering 503: the worker is draining. */
  markStopping(): void {
    this.stopping = true;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const json = (status: number, body: unknown) =>
      send(status, 'application/json; charset=utf-8', JSON.stringify(body));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(405, { detail: { error: 'Method not allowed', code: 'BAD_REQUEST' } });
      return;
    }
    if (path === '/healthz') {
      json(this.stopping ? 503 : 200, { status: this.stopping ? 'stopping' : 'ok' });
      return;
    }
    if (path === '/metrics') {
      try {
        const { contentType, body } = await this.o.metrics.render();
        send(200, contentType, body);
      } catch (err) {
        this.o.logger.error('metrics rendering failed', { err });
        json(500, { detail: { error: 'Internal server error', code: 'INTERNAL' } });
      }
      return;
    }
    json(404, { detail: { error: 'Route not found', code: 'NOT_FOUND' } });
  }

  async close(): Promise<void> {
    this.lag.close();
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
