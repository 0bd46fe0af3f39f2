import type { AccessControl, AccessLevel } from '../auth/access-control';
import { componentSchemas, ref, type ComponentName, type JsonSchema } from './schemas';

/** Version of the documented HTTP API (the OpenAD wire API plus the async routes). */
export const API_VERSION = '0.1.0';

export interface OpenApiOptions {
  /** Which routes need which key under the running configuration. */
  access: AccessControl;
  /** The access level `/metrics` has (public unless OPENAD_ASYNC_METRICS_PUBLIC=false). */
  metricsLevel: AccessLevel;
}

type Operation = Record<string, unknown>;

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const text = (description: string) => ({
  description,
  content: { 'text/plain': { schema: { type: 'string' } } },
});
const answer = (description: string, name: ComponentName) => ({
  description,
  content: json(ref(name)),
});
const error = (description: string) => answer(description, 'ErrorResponse');
const retryLater = (description: string) => ({
  ...error(description),
  headers: { 'Retry-After': { $ref: '#/components/headers/Retry-After' } },
});

const REQUEST_ID_PARAM = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The request_id a submission answered',
  schema: { type: 'string', format: 'uuid' },
};

/**
 * The OpenAPI 3.1 document of every route the api serves, with component schemas generated
 * from the zod contracts. Security requirements follow the running configuration, so the
 * document says what this deployment actually asks for.
 */
export function buildOpenApiDocument(o: OpenApiOptions): Record<string, unknown> {
  const { access } = o;
  const security = (level: AccessLevel) =>
    access.requiresKey(level)
      ? [
          { bearerAuth: [] },
          { apiKeyHeader: [] },
          ...(level === 'admin' ? [{ basicAuth: [] }] : []),
        ]
      : [];
  const denied = (level: AccessLevel) =>
    access.requiresKey(level)
      ? {
          '401': error('No key was sent'),
          '403': error(
            level === 'user' ? 'The key is not a configured key' : 'The key is not an admin key',
          ),
        }
      : {};
  const guarded = (level: AccessLevel, op: Operation): Operation => ({
    ...op,
    security: security(level),
    responses: {
      ...(op.responses as Record<string, unknown>),
      ...denied(level),
      ...(level === 'user' || level === 'operator'
        ? { '429': retryLater('Rate limit exceeded (OPENAD_ASYNC_RATE_LIMIT_PER_MINUTE)') }
        : {}),
    },
  });
  const open = (op: Operation): Operation => ({ ...op, security: [] });

  const cancel = (operationId: string, note: string) =>
    guarded('user', {
      tags: ['async'],
      operationId,
      summary: 'Cancel a request',
      description: `A pending request ends canceled at once; a processing one is aborted on its worker. ${note}`,
      parameters: [REQUEST_ID_PARAM],
      responses: {
        '200': answer('Canceled', 'CancelResponse'),
        '202': answer('Cancel sent; the request is being stopped', 'CancelResponse'),
        '400': error('Not a UUID'),
        '404': error('Unknown, expired, or submitted with another key'),
        '409': error('Already finished'),
      },
    });

  const paths: Record<string, Record<string, Operation>> = {
    '/health': {
      get: open({
        tags: ['probes'],
        operationId: 'health',
        summary: "The OpenAD client's probe",
        responses: { '200': text('`UP`') },
      }),
    },
    '/healthz': {
      get: open({
        tags: ['probes'],
        operationId: 'healthz',
        summary: 'Liveness: the process answers',
        responses: {
          '200': {
            description: 'Up',
            content: json({ type: 'object', properties: { status: { const: 'ok' } } }),
          },
        },
      }),
    },
    '/readyz': {
      get: open({
        tags: ['probes'],
        operationId: 'readyz',
        summary: 'Readiness: Redis and the result store reachable',
        responses: {
          '200': answer('Ready', 'ReadinessResponse'),
          '503': answer('Not ready', 'ReadinessResponse'),
        },
      }),
    },
    '/service': {
      get: guarded('user', {
        tags: ['openad'],
        operationId: 'listServices',
        summary: 'Service definitions of the registered models',
        responses: {
          '200': {
            description: 'One definition per service',
            content: json({ type: 'array', items: ref('ServiceDefinition') }),
          },
        },
      }),
      post: guarded('user', {
        tags: ['openad'],
        operationId: 'postService',
        summary: 'Submit work, or read a result (get_result)',
        description: [
          'With `async` and `use_enhanced_async`: `{"request_id"}` at once.',
          'With `async` alone (legacy): the id as a bare JSON string.',
          'With neither (sync): waits, then answers the result rows themselves, or `{"error":{"reason"}}`.',
          '`get_result` answers 200 always: with `request_id` the status object; with `url` the result, or `{"warning"}` while pending/processing, or `{"error"}` when failed or unknown.',
          'A key may also come as `api_key` in the body (the OpenAD client sends it there).',
        ].join('\n\n'),
        requestBody: { required: true, content: json(ref('ServiceRequest')) },
        responses: {
          '200': {
            description: 'Accepted, the result, or a get_result answer (see above)',
            content: json({
              anyOf: [
                ref('SubmitAccepted'),
                { type: 'string', format: 'uuid', description: 'Legacy async: the bare id' },
                ref('InferenceResult'),
                ref('StatusObject'),
                ref('LegacyResultNotice'),
              ],
            }),
          },
          '404': error('Unknown service or property'),
          '413': error('Body larger than OPENAD_ASYNC_MAX_BODY_KB'),
          '422': answer('Invalid request; `loc` names the field', 'ValidationErrorResponse'),
          '503': retryLater('Queue full (OPENAD_ASYNC_MAX_QUEUE_SIZE)'),
          '504': error(
            'A sync request ran past OPENAD_ASYNC_SYNC_WAIT_SECONDS; poll its request_id',
          ),
        },
      }),
    },
    '/async/status/{id}': {
      get: guarded('user', {
        tags: ['async'],
        operationId: 'getStatus',
        summary: 'Status of a request',
        parameters: [REQUEST_ID_PARAM],
        responses: {
          '200': answer('The status object', 'StatusObject'),
          '400': error('Not a UUID'),
          '404': error('Unknown, expired, or submitted with another key'),
        },
      }),
      delete: cancel('cancelRequest', 'The path the spec documents.'),
    },
    '/async/status/{id}/events': {
      get: guarded('user', {
        tags: ['async'],
        operationId: 'statusEvents',
        summary: 'Live status of a request (Server-Sent Events)',
        description:
          'Event `status` (data: the status object; the first is the current state, the last the terminal one, after which the stream ends) and event `progress` (data: a ProgressEvent). Reconnect with `Last-Event-ID` (or `?last_event_id=`) to replay what was missed.',
        parameters: [
          REQUEST_ID_PARAM,
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'Resume after this event id',
            schema: { type: 'string' },
          },
          {
            name: 'last_event_id',
            in: 'query',
            required: false,
            description: 'Same as the Last-Event-ID header, for clients that cannot set it',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': {
            description:
              'A text/event-stream; each `data:` is a StatusObject (event `status`) or a ProgressEvent (event `progress`)',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          '400': error('Not a UUID'),
          '404': error('Unknown, expired, or submitted with another key'),
        },
      }),
    },
    '/async/webhook-secret': {
      get: guarded('user', {
        tags: ['async'],
        operationId: 'webhookSecret',
        summary: "The caller's secret for verifying its callbacks (callback_url)",
        responses: {
          '200': {
            description: 'The per-key signing secret and how signatures are made',
            content: json({
              type: 'object',
              required: ['secret', 'algorithm'],
              properties: {
                secret: { type: 'string' },
                algorithm: { const: 'HMAC-SHA256' },
                signature_header: { type: 'string' },
                timestamp_header: { type: 'string' },
                signed_payload: { type: 'string' },
                signature_format: { type: 'string' },
              },
            }),
          },
          '404': error('Callbacks are not enabled (OPENAD_ASYNC_WEBHOOK_SECRET unset)'),
        },
      }),
    },
    '/async/cancel/{id}': {
      delete: cancel('cancelRequestLegacy', "The upstream prototype's path; same behaviour."),
    },
    '/async/stats': {
      get: guarded('operator', {
        tags: ['async'],
        operationId: 'getStats',
        summary: 'Queue, model and worker statistics',
        responses: { '200': answer('Per service, plus the effective config', 'StatsResponse') },
      }),
    },
    '/metrics': {
      get: (o.metricsLevel === 'public' ? open : (op: Operation) => guarded(o.metricsLevel, op))({
        tags: ['operations'],
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format)',
        responses: { '200': text('Metrics of this api replica and of the shared queues') },
      }),
    },
    '/openapi.json': {
      get: open({
        tags: ['docs'],
        operationId: 'openapi',
        summary: 'This document',
        responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
      }),
    },
    '/docs': {
      get: open({
        tags: ['docs'],
        operationId: 'docs',
        summary: 'Swagger UI for this document (assets served locally under /docs/assets/)',
        responses: { '200': html('The UI') },
      }),
    },
    '/docs/swagger-initializer.js': {
      get: open({
        tags: ['docs'],
        operationId: 'docsInitializer',
        summary: 'Starts Swagger UI on /openapi.json',
        responses: {
          '200': {
            description: 'Script',
            content: { 'text/javascript': { schema: { type: 'string' } } },
          },
        },
      }),
    },
    '/admin/queues': {
      get: guarded('admin', {
        tags: ['operations'],
        operationId: 'dashboard',
        summary: 'Queue dashboard (bull-board); its own API lives under /admin/queues/api/',
        description:
          'Read-only unless OPENAD_ASYNC_DASHBOARD_READONLY=false: changes (retry, remove, pause, …) answer 403. Browsers may send the admin key as the Basic-auth password.',
        responses: { '200': html('The dashboard') },
      }),
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'openad-async',
      version: API_VERSION,
      description:
        'Asynchronous inference for OpenAD model services: the OpenAD model-service wire API (GET/POST /service) plus async status, cancel and stats. Errors are `{"detail":{"error","code",…}}`; validation errors are 422 with `{"detail":[{"type","loc","msg","input"}]}`.',
    },
    tags: [
      { name: 'openad', description: 'The OpenAD model-service wire API' },
      { name: 'async', description: 'Status, cancel and statistics of queued requests' },
      { name: 'probes', description: 'Health and readiness' },
      { name: 'operations', description: 'Metrics and the queue dashboard' },
      { name: 'docs', description: 'This document and its UI' },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key as bearer token' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        basicAuth: {
          type: 'http',
          scheme: 'basic',
          description: 'Any user name, the key as password (for browsers on the dashboard)',
        },
      },
      headers: {
        'Retry-After': {
          description: 'Seconds to wait before trying again',
          schema: { type: 'integer', minimum: 1 },
        },
      },
    },
  };
}

function html(description: string) {
  return { description, content: { 'text/html': { schema: { type: 'string' } } } };
}
