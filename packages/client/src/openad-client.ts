import type {
  ServiceDefinition,
  ServiceRequestInput,
  StatusObject,
  WorkServiceType,
} from '@openad-async/contracts';

import { OpenadApiError, RequestEndedError } from './errors';
import { HttpTransport, type TransportOptions } from './http-transport';
import { statusStream, type StatusStreamOptions } from './status-stream';
import type {
  CancelResult,
  GenerationSubmission,
  PropertyRow,
  PropertySubmission,
  StatsResponse,
  StatusStreamEvent,
  SubmitOptions,
  WaitOptions,
} from './types';
import { waitForRequest } from './wait-for-request';

export type OpenadClientOptions = TransportOptions;

/**
 * A typed client of an openad-async service, for Node 20+ and browsers (fetch only).
 *
 * ```ts
 * const client = new OpenadClient({ url: 'http://localhost:8080' });
 * const id = await client.submitProperty({ service: 'get molecule rdkit', properties: ['qed'], subjects: ['CCO'] });
 * const record = await client.wait(id, { onUpdate: (e) => console.log(e) });
 * ```
 */
export class OpenadClient {
  private readonly transport: HttpTransport;
  private definitions: Promise<ServiceDefinition[]> | null = null;
  private readonly sse = { unsupported: false };

  constructor(options: OpenadClientOptions) {
    this.transport = new HttpTransport(options);
  }

  /** True when `GET /health` answers 200 (the OpenAD client's probe). */
  async health(signal?: AbortSignal): Promise<boolean> {
    try {
      const res = await this.transport.raw('/health', {
        timeoutMs: 2000,
        ...(signal ? { signal } : {}),
      });
      await res.body?.cancel().catch(() => undefined);
      return res.status === 200;
    } catch (err) {
      if (signal?.aborted) throw err;
      return false;
    }
  }

  /** `GET /service`: the service definitions, fetched once and cached unless `refresh`. */
  services(o: { signal?: AbortSignal; refresh?: boolean } = {}): Promise<ServiceDefinition[]> {
    if (!this.definitions || o.refresh) {
      const loading = this.transport
        .json('/service', o.signal ? { signal: o.signal } : {})
        .then((a) => a.body as ServiceDefinition[]);
      // A failed load is not cached: the next call tries again.
      loading.catch(() => (this.definitions = null));
      this.definitions = loading;
    }
    return this.definitions;
  }

  /** Submits a property prediction; resolves with its `request_id`. */
  async submitProperty(s: PropertySubmission): Promise<string> {
    const serviceType = s.serviceType ?? (await this.serviceTypeOf(s.service, s.signal));
    return this.submit(
      {
        service_type: serviceType,
        service_name: s.service,
        parameters: { ...s.parameters, property_type: s.properties, subjects: s.subjects },
      },
      s,
    );
  }

  /** Submits a generation request; resolves with its `request_id`. */
  async submitGeneration(g: GenerationSubmission): Promise<string> {
    return this.submit(
      {
        service_type: 'generate_data',
        service_name: g.service,
        parameters: { ...g.parameters, subjects: g.targets ?? [] },
        ...(g.sampleSize === undefined ? {} : { sample_size: g.sampleSize }),
      },
      g,
    );
  }

  /** `GET /async/status/:id`; ApiNotFoundError when unknown or expired. */
  async status(id: string, signal?: AbortSignal): Promise<StatusObject> {
    const answer = await this.transport.json(
      `/async/status/${encodeURIComponent(id)}`,
      signal ? { signal } : {},
    );
    return answer.body as StatusObject;
  }

  /** The live event stream of one request (state changes and progress), ending at its end. */
  events(id: string, o: StatusStreamOptions = {}): AsyncGenerator<StatusStreamEvent> {
    return statusStream(this.transport, id, o);
  }

  /** Waits for the request to end; resolves with its terminal status object, whatever it is. */
  wait(id: string, o: WaitOptions = {}): Promise<StatusObject> {
    return waitForRequest(
      { transport: this.transport, readStatus: (i, s) => this.status(i, s), sse: this.sse },
      id,
      o,
    );
  }

  /** Cancels a request; ApiConflictError when it already finished, ApiNotFoundError when unknown. */
  async cancel(id: string, signal?: AbortSignal): Promise<CancelResult> {
    const answer = await this.transport.json(`/async/status/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      // The service waits up to 5 s for a processing request to stop before answering 202.
      timeoutMs: 15000,
      ...(signal ? { signal } : {}),
    });
    const body = answer.body as { result?: string };
    return {
      request_id: id,
      outcome: answer.status === 202 ? 'cancel_requested' : 'canceled',
      message: body.result ?? '',
    };
  }

  /** The signing secret of this client's key, to verify its callbacks (see verifyWebhook). */
  async webhookSecret(signal?: AbortSignal): Promise<string> {
    const answer = await this.transport.json('/async/webhook-secret', signal ? { signal } : {});
    return (answer.body as { secret: string }).secret;
  }

  /** `GET /async/stats`. */
  async stats(signal?: AbortSignal): Promise<StatsResponse> {
    return (await this.transport.json('/async/stats', signal ? { signal } : {}))
      .body as StatsResponse;
  }

  /** Submit, wait, and return the rows; RequestEndedError unless it completed. */
  async predict(s: PropertySubmission, o: WaitOptions = {}): Promise<PropertyRow[]> {
    const record = await this.wait(await this.submitProperty(s), o);
    if (record.status !== 'completed') throw new RequestEndedError(record);
    return record.result as PropertyRow[];
  }

  /** Submit, wait, and return the generated records; RequestEndedError unless it completed. */
  async generate(g: GenerationSubmission, o: WaitOptions = {}): Promise<Record<string, unknown>[]> {
    const record = await this.wait(await this.submitGeneration(g), o);
    if (record.status !== 'completed') throw new RequestEndedError(record);
    return record.result as Record<string, unknown>[];
  }

  private async submit(body: ServiceRequestInput, o: SubmitOptions): Promise<string> {
    const answer = await this.transport.json('/service', {
      method: 'POST',
      body: {
        ...body,
        async: true,
        use_enhanced_async: true,
        ...(o.priority === undefined ? {} : { priority: o.priority }),
        ...(o.timeoutSeconds === undefined ? {} : { timeout_seconds: o.timeoutSeconds }),
        ...(o.callbackUrl === undefined ? {} : { callback_url: o.callbackUrl }),
      } satisfies ServiceRequestInput,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const id = (answer.body as { request_id?: unknown }).request_id;
    if (typeof id !== 'string') {
      throw new OpenadApiError('BAD_RESPONSE', answer.status, 'No request_id in the answer');
    }
    return id;
  }

  /** The service's type from its definition; unknown names go as molecule services, and the service's 422 names the problem. */
  private async serviceTypeOf(
    name: string,
    signal?: AbortSignal,
  ): Promise<Exclude<WorkServiceType, 'generate_data'>> {
    const found = (await this.services(signal ? { signal } : {})).find(
      (d) => d.service_name === name,
    );
    return found && found.service_type !== 'generate_data'
      ? found.service_type
      : 'get_molecule_property';
  }
}
