import { randomUUID } from 'node:crypto';

import fc from 'fast-check';
import { PRIORITY_NAMES } from '@openad-async/contracts';

/**
 * Generated requests that the api must reject (or, for get_result, answer "job does not exist"):
 * every one carries at least one defect by construction, whatever noise is added around it.
 */
export interface BadRequest {
  /** Which family of defect, for the tally. */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Bytes written to a socket as they are: HTTP that a client library refuses to send. */
  raw?: Buffer;
  /** get_result answers 200 for an unknown reference; any other 2xx is a failure. */
  may200?: boolean;
}

const VALID_PROPERTY = {
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['CCO'] },
  async: true,
  use_enhanced_async: true,
};
const VALID_GENERATION = {
  service_type: 'generate_data',
  service_name: 'generate with TestGen',
  parameters: { start: 1 },
  sample_size: 3,
  async: true,
  use_enhanced_async: true,
};

type Json = Record<string, unknown>;

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const post = (kind: string, body: Buffer, headers: Record<string, string> = {}): BadRequest => ({
  kind,
  method: 'POST',
  path: '/service',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

const nonString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);
const nonArray = fc.oneof(fc.integer(), fc.boolean(), fc.string(), fc.constant(null), fc.object());
const nonObject = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer()),
);
/** Strings made unlike any registered name, property or enum member. */
const unknownName = fc.string().map((s) => `no-such-${s}`);
const notBoolean = fc.oneof(
  fc.integer(),
  fc.string().filter((s) => !/^(true|false|1|0)$/i.test(s)),
  fc.object(),
  fc.constant(null),
);
const notPriority = fc.oneof(
  nonString,
  fc.string().filter((s) => !(PRIORITY_NAMES as readonly string[]).includes(s.toLowerCase())),
);
const notPositiveSeconds = fc.oneof(
  fc.double({ max: 0, noNaN: true }),
  fc.string().filter((s) => !(/^\d+(\.\d+)?$/.test(s) && Number(s) > 0)),
  fc.boolean(),
  fc.array(fc.integer({ min: 1 }), { minLength: 1, maxLength: 2 }),
);
const notSampleSize = fc.oneof(
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  fc.string().filter((s) => !/^\d+$/.test(s)),
  fc.boolean(),
);
const notDelay = fc.oneof(
  fc.integer({ max: -1 }),
  fc.integer({ min: 60001 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  fc.string().filter((s) => !/^\s*-?\d/.test(s)),
  fc.boolean(),
);

/** Not an integer, nor a string the catalog would coerce to a number. */
const notInteger = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  fc.string().filter((s) => !/^\s*-?\d/.test(s)),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { minLength: 1, maxLength: 2 }),
);

/** One wrong-typed or out-of-range field on an otherwise valid request. */
const wrongField: fc.Arbitrary<Json> = fc.oneof(
  nonString.map((v) => ({ ...VALID_PROPERTY, service_type: v })),
  unknownName.map((v) => ({ ...VALID_PROPERTY, service_type: v })),
  fc
    .oneof(nonString, fc.constant(''), unknownName)
    .map((v) => ({ ...VALID_PROPERTY, service_name: v })),
  nonObject.map((v) => ({ ...VALID_PROPERTY, parameters: v })),
  fc
    .oneof(
      fc.integer(),
      fc.constant([]),
      fc.constant(''),
      fc.array(nonString, { minLength: 1 }),
      fc.array(unknownName, { minLength: 1 }),
    )
    .map((v) => ({
      ...VALID_PROPERTY,
      parameters: { ...VALID_PROPERTY.parameters, property_type: v },
    })),
  fc
    .oneof(nonArray, fc.constant([]))
    .map((v) => ({ ...VALID_PROPERTY, parameters: { ...VALID_PROPERTY.parameters, subjects: v } })),
  notBoolean.map((v) => ({ ...VALID_PROPERTY, async: v })),
  notBoolean.map((v) => ({ ...VALID_PROPERTY, use_enhanced_async: v })),
  notPriority.map((v) => ({ ...VALID_PROPERTY, priority: v })),
  notPositiveSeconds.map((v) => ({ ...VALID_PROPERTY, timeout_seconds: v })),
  notSampleSize.map((v) => ({ ...VALID_GENERATION, sample_size: v })),
  notDelay.map((v) => ({
    ...VALID_PROPERTY,
    parameters: { ...VALID_PROPERTY.parameters, delay_ms: v },
  })),
  notBoolean
    .filter((v) => v !== 1 && v !== 0)
    .map((v) => ({ ...VALID_PROPERTY, parameters: { ...VALID_PROPERTY.parameters, fail: v } })),
  notInteger.map((v) => ({ ...VALID_GENERATION, parameters: { start: v } })),
  unknownName.map((v) => ({ ...VALID_GENERATION, service_name: v })),
  fc.string().map((v) => ({ service_type: 'get_result', request_id: v })),
);

/** A required field left out. */
const missingField: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  { ...VALID_PROPERTY, service_type: undefined },
  { ...VALID_PROPERTY, service_name: undefined },
  { ...VALID_PROPERTY, parameters: { subjects: ['CCO'] } },
  { ...VALID_PROPERTY, parameters: { property_type: ['length'] } },
  { ...VALID_PROPERTY, parameters: undefined },
  { service_type: 'get_result' },
  {},
);

/** Every defect, with random extra fields on top (ignored by the schema, so never a fix). */
const defective = fc
  .tuple(
    fc.oneof(wrongField, missingField),
    fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  )
  .map(([body, extra]) => {
    const withExtra: Json = { ...body };
    // Extras never overwrite a field the defect made (or removed).
    for (const [k, v] of Object.entries(extra))
      if (!(k in body) && !(SERVICE_FIELDS as readonly string[]).includes(k)) withExtra[k] = v;
    return withExtra;
  });
const SERVICE_FIELDS = [
  'service_type',
  'service_name',
  'parameters',
  'async',
  'use_enhanced_async',
  'priority',
  'timeout_seconds',
  'sample_size',
  'url',
  'request_id',
] as const;

const fieldCases = defective.map((body) => post('wrong or missing field', json(body)));

/** Huge strings and arrays, under and over the body limit, always with a defect. */
const hugeCases = fc
  .tuple(
    fc.integer({ min: 10_000, max: 1_300_000 }),
    fc.constantFrom('service_name', 'priority', 'property_type', 'subjects'),
  )
  .map(([size, where]) => {
    const big = 'C'.repeat(size);
    const body: Json =
      where === 'service_name'
        ? { ...VALID_PROPERTY, service_name: big }
        : where === 'priority'
          ? { ...VALID_PROPERTY, priority: big }
          : where === 'property_type'
            ? {
                ...VALID_PROPERTY,
                parameters: {
                  subjects: ['C'],
                  property_type: Array(Math.ceil(size / 8)).fill('nothing'),
                },
              }
            : {
                ...VALID_PROPERTY,
                service_name: 'no such service',
                parameters: {
                  property_type: ['length'],
                  subjects: Array(Math.ceil(size / 6)).fill('CCCC'),
                },
              };
    return post(`huge ${where}`, json(body));
  });

/** Bytes that are not UTF-8, inside a string the schema checks, or outside any string. */
const invalidUtf8Cases = fc
  .tuple(
    fc.constantFrom(
      [0xc3, 0x28],
      [0xff],
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf],
      [0xe2, 0x82],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
    ),
    fc.constantFrom('service_type', 'service_name', 'priority', 'outside'),
  )
  .map(([bytes, where]) => {
    const marker = '@@BAD@@';
    const body: Json =
      where === 'outside'
        ? VALID_PROPERTY
        : {
            ...VALID_PROPERTY,
            [where]: `${String((VALID_PROPERTY as Json)[where] ?? 'high')}${marker}`,
          };
    let text = JSON.stringify(body);
    if (where === 'outside') text = text.replace('{', `{${marker}`);
    const [head, tail] = text.split(marker) as [string, string];
    return post(
      `invalid utf-8 (${where})`,
      Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]),
    );
  });

/** Not JSON at all, or JSON broken on purpose. */
const malformedCases = fc
  .oneof(
    fc.integer({ min: 1, max: 60 }).map((cut) => JSON.stringify(VALID_PROPERTY).slice(0, cut)),
    fc
      .string({ minLength: 1 })
      .map((junk) => `${JSON.stringify(VALID_PROPERTY)}${junk}`)
      .filter((t) => {
        try {
          JSON.parse(t);
          return false;
        } catch {
          return true;
        }
      }),
    fc.constantFrom(
      "{'service_type': 'get_result'}",
      '{"a": NaN}',
      '// comment\n{}',
      '',
      'undefined',
      '{"a":1,}',
      '\u0000',
    ),
    fc
      .integer({ min: 1000, max: 20000 })
      .map((depth) => `{"service_name": ${'['.repeat(depth)}${']'.repeat(depth)}}`),
  )
  .map((text) => post('malformed json', Buffer.from(text)));

const uuid = fc.constant(null).map(() => randomUUID());
const ROUTES_BY_METHOD: Record<string, string[]> = {
  GET: ['/service', '/health', '/healthz', '/readyz', '/async/stats', '/async/status/:id'],
  POST: ['/service'],
  DELETE: ['/async/status/:id', '/async/cancel/:id'],
};
const PATHS = [
  '/service',
  '/health',
  '/healthz',
  '/readyz',
  '/async/stats',
  '/async/status/:id',
  '/async/cancel/:id',
  '/async/status',
  '/nope',
  '/service/extra',
];

/** A method a route does not have. */
const wrongMethodCases = fc
  .tuple(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), fc.constantFrom(...PATHS), uuid)
  .filter(([method, path]) => !(ROUTES_BY_METHOD[method] ?? []).includes(path))
  .map(([method, path, id]) => ({
    kind: 'wrong method',
    method,
    path: path.replace(':id', id),
    headers: {},
  }));

/** Ids that are not UUIDs, traversal attempts, broken escapes, very long ones. */
const badId = fc.oneof(
  fc.constantFrom(
    '..',
    '../',
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f%2e%2e%2f',
    '..\\..\\boot.ini',
    '%00',
    '%ZZ',
    '%E0%A4%A',
    'null',
    'NaN',
  ),
  fc.string({ unit: 'grapheme', minLength: 1 }).map((s) => encodeURIComponent(s)),
  fc.integer({ min: 101, max: 5000 }).map((n) => 'a'.repeat(n)),
  uuid.map((id) => `${id}x`),
  uuid.map((id) => id.replace(/-/g, '')),
  uuid.map((id) => `../${id}`),
);
const badIdCases = fc
  .tuple(
    fc.constantFrom(
      ['GET', '/async/status/'],
      ['DELETE', '/async/status/'],
      ['DELETE', '/async/cancel/'],
    ),
    badId,
  )
  .map(([[method, prefix], id]) => ({
    kind: 'bad id',
    method: method!,
    path: `${prefix}${id}`,
    headers: {},
  }));
const badResultRefCases = badId.map((ref) => ({
  ...post(
    'get_result with a bad reference',
    json({ service_type: 'get_result', url: decodeSafely(ref) }),
  ),
  may200: true,
}));

/** Headers that lie about the body, or are just odd, always on a request with a defect. */
const badHeaderCases = fc
  .tuple(
    fc.constantFrom<Record<string, string>>(
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'application/json; charset=latin1' },
      { 'content-type': 'application/json; charset=utf-16' },
      { 'content-type': 'application/json; charset=nope' },
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      { 'content-type': 'application/json', 'content-encoding': 'br' },
      { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
      { 'content-type': 'application/json', 'x-request-id': '../../etc/passwd' },
      { 'content-type': 'application/json', 'x-request-id': 'x'.repeat(5000) },
      { 'content-type': 'application/json', accept: 'image/png' },
      { 'content-type': 'application/json', authorization: 'Bearer' },
      { 'content-type': 'application/json', 'x-forwarded-for': 'not-an-ip, ::::, 999.1.1.1' },
    ),
    defective,
  )
  .map(([headers, body]) => post(`bad header ${Object.keys(headers).at(-1)}`, json(body), headers));

/** HTTP a client library will not send: the server's parser answers before Express sees it. */
const rawCases = fc
  .constantFrom(
    `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`,
    'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n',
    'FOO /service HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /health HTTP/9.9\r\nHost: x\r\n\r\n',
    'POST /service HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
    'POST /service HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}',
    'POST /service HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    'GET /he\u0000alth HTTP/1.1\r\nHost: x\r\n\r\n',
  )
  .map((text) => ({
    kind: 'malformed http',
    method: '',
    path: '',
    headers: {},
    raw: Buffer.from(text, 'latin1'),
  }));

export const badRequests: fc.Arbitrary<BadRequest> = fc
  .oneof(
    { arbitrary: fieldCases, weight: 8 },
    { arbitrary: hugeCases, weight: 1 },
    { arbitrary: invalidUtf8Cases, weight: 2 },
    { arbitrary: malformedCases, weight: 2 },
    { arbitrary: wrongMethodCases, weight: 2 },
    { arbitrary: badIdCases, weight: 2 },
    { arbitrary: badResultRefCases, weight: 1 },
    { arbitrary: badHeaderCases, weight: 2 },
    { arbitrary: rawCases, weight: 1 },
  )
  // Counterexamples print as a line, not as megabytes of body.
  .map((r: BadRequest) =>
    Object.assign(r, {
      [fc.toStringMethod]: () =>
        `${r.kind}: ${r.method} ${r.path.slice(0, 100)} ${JSON.stringify(r.headers)} ` +
        `${(r.raw ?? r.body)?.subarray(0, 200).toString('latin1') ?? ''} (${(r.raw ?? r.body)?.length ?? 0} bytes)`,
    }),
  );

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
