import SwaggerParser from '@apidevtools/swagger-parser';
import type { Express } from 'express';

import { http, TestStack } from '../support/stack';

const KEY = 'key-openapi-0123456789';
const ADMIN = 'key-openapi-admin-0123456789';

interface RouteLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
}

/** Every [METHOD, path] the app routes, read from the Express router stack. */
function servedRoutes(app: Express): Array<[string, string]> {
  const stack = (app.router as unknown as { stack: RouteLayer[] }).stack;
  return stack.flatMap((layer) => {
    const route = layer.route;
    if (!route || typeof route.path !== 'string') return [];
    const path = route.path;
    return Object.keys(route.methods)
      .filter((m) => m !== '_all')
      .map((m) => [m.toUpperCase(), path] as [string, string]);
  });
}

/** Express `/async/status/:id` is OpenAPI `/async/status/{id}`. */
const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

describe('GET /openapi.json and GET /docs', () => {
  const stack = new TestStack({
    env: { OPENAD_ASYNC_API_KEYS: KEY, OPENAD_ASYNC_ADMIN_KEYS: ADMIN },
  });
  let url: string;
  let doc: Record<string, unknown>;
  beforeAll(async () => {
    url = await stack.startApi();
    doc = (await http(`${url}/openapi.json`)).body as Record<string, unknown>;
  });
  afterAll(() => stack.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('documents every route the app serves, with each method', () => {
    const app = stack.api().expressApp;
    expect(app).not.toBeNull();
    const paths = doc.paths as Record<string, Record<string, unknown>>;
    const served = servedRoutes(app!);
    expect(served.length).toBeGreaterThanOrEqual(12);
    const missing = served
      .filter(([method, path]) => !paths[toOpenApiPath(path)]?.[method.toLowerCase()])
      .map(([method, path]) => `${method} ${path}`);
    // A new route needs an entry in apps/api/src/openapi/openapi-document.ts.
    expect(missing).toEqual([]);
    // Mounted (non-route) parts are documented by their entry points.
    expect(paths['/admin/queues']?.get).toBeDefined();
    expect(paths['/docs']?.get).toBeDefined();
    // And nothing is documented that the app no longer serves.
    const servedKeys = new Set(served.map(([m, p]) => `${m.toLowerCase()} ${toOpenApiPath(p)}`));
    const stale = Object.entries(paths)
      .filter(([path]) => path !== '/admin/queues')
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .filter((key) => !servedKeys.has(key));
    expect(stale).toEqual([]);
  });

  it('describes the wire shapes from the contracts, and who needs which key under this configuration', () => {
    const components = doc.components as {
      schemas: Record<string, { properties?: Record<string, unknown> }>;
    };
    expect(Object.keys(components.schemas)).toEqual(
      expect.arrayContaining(['ServiceRequest', 'StatusObject', 'ErrorResponse', 'StatsResponse']),
    );
    expect(components.schemas.StatusObject?.properties).toHaveProperty('request_id');
    expect(components.schemas.StatusObject?.properties).not.toHaveProperty('owner');
    expect(components.schemas.ServiceRequest?.properties).toHaveProperty('api_key');
    const paths = doc.paths as Record<string, Record<string, { security?: unknown[] }>>;
    expect(paths['/health']?.get?.security).toEqual([]);
    expect(paths['/service']?.post?.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect(paths['/admin/queues']?.get?.security).toContainEqual({ basicAuth: [] });
  });

  it('serves the Swagger UI from local assets only', async () => {
    const page = await http(`${url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = String(page.body);
    expect(html).not.toMatch(/https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(
      expect.arrayContaining(['/docs/assets/swagger-ui-bundle.js', '/docs/swagger-initializer.js']),
    );
    for (const asset of assets) {
      const res = await fetch(`${url}${asset}`);
      expect([asset, res.status]).toEqual([asset, 200]);
      await res.arrayBuffer();
    }
    const init = await http(`${url}/docs/swagger-initializer.js`);
    expect(String(init.body)).toContain("url: '/openapi.json'");
  });
});
