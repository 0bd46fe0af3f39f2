import { dirname } from 'node:path';

import type { HandlerResult } from '../http/handler';

/** Where swagger-ui-dist keeps its files: served under /docs/assets, never from a CDN. */
export const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>openad-async API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-initializer.js"></script>
</body>
</html>
`;

// A file, not an inline script, so the default Content-Security-Policy (script-src 'self')
// holds; no validator badge, which would call out to validator.swagger.io.
const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

/** `GET /openapi.json`: built once per server (it depends on configuration only). */
export function openApiJson(document: Record<string, unknown>) {
  return async (): Promise<HandlerResult> => ({ body: document });
}

/** `GET /docs` */
export async function docsPage(): Promise<HandlerResult> {
  return { body: PAGE, contentType: 'text/html; charset=utf-8' };
}

/** `GET /docs/swagger-initializer.js` */
export async function docsInitializer(): Promise<HandlerResult> {
  return { body: INITIALIZER, contentType: 'text/javascript; charset=utf-8' };
}
