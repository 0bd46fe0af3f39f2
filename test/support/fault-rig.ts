import type { Redis } from 'ioredis';

import { ProcessCluster, type ClusterOptions } from './cluster';
import { RedisServer } from './redis-server';

export interface FaultRigOptions extends Omit<ClusterOptions, 'redisUrl'> {
  /** `false` for tests that never restart Redis (see RedisServer.start). @defaultValue true */
  aof?: boolean;
}

/**
 * What every fault test stands on: a private redis-server (so a test may stop it), a client on
 * it, and a cluster of api/worker processes pointed at it. close() takes all three down.
 */
export class FaultRig {
  private constructor(
    readonly server: RedisServer,
    private client: Redis,
    readonly cluster: ProcessCluster,
  ) {}

  get redis(): Redis {
    return this.client;
  }

  /** A fresh client, for a test that stopped and restarted the server. */
  reconnect(): Redis {
    this.client.disconnect();
    this.client = this.server.client();
    return this.client;
  }

  static async start(options: FaultRigOptions = {}): Promise<FaultRig> {
    const { aof, ...cluster } = options;
    const server = await RedisServer.start(aof === undefined ? {} : { aof });
    return new FaultRig(
      server,
      server.client(),
      new ProcessCluster({ ...cluster, redisUrl: server.url }),
    );
  }

  async close(): Promise<void> {
    await this.cluster.close();
    this.client.disconnect();
    await this.server.destroy();
  }
}
