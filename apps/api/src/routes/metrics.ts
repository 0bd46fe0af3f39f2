import type { HandlerResult } from '../http/handler';
import type { ApiMetrics } from '../metrics/api-metrics';

/** `GET /metrics`: Prometheus text; queue gauges are read from Redis now, not per request. */
export function metrics(source: Pick<ApiMetrics, 'render'>) {
  return async (): Promise<HandlerResult> => {
    const { contentType, body } = await source.render();
    return { body, contentType };
  };
}
