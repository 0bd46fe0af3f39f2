/** Where a caller's key may come from; the Express adapter fills it from the request. */
export interface Credentials {
  /** The `Authorization` header: `Bearer <key>`, or `Basic` with the key as password. */
  authorization?: string | undefined;
  /** The `X-API-Key` header. */
  apiKeyHeader?: string | string[] | undefined;
  /**
   * `api_key` from the JSON body, which the OpenAD client always sends on `POST /service`.
   * Only routes that accept it pass it.
   */
  bodyKey?: unknown;
}

/**
 * The key a request presents, or null. Headers win over the body, so a client that sends a
 * stale `api_key` in its body can still authenticate with a header. An `Authorization` of any
 * other scheme counts as no key.
 */
export function presentedKey(c: Credentials): string | null {
  const fromAuthorization = keyFromAuthorization(c.authorization);
  if (fromAuthorization) return fromAuthorization;
  const header = Array.isArray(c.apiKeyHeader) ? c.apiKeyHeader[0] : c.apiKeyHeader;
  if (header?.trim()) return header.trim();
  if (typeof c.bodyKey === 'string' && c.bodyKey.trim()) return c.bodyKey.trim();
  return null;
}

function keyFromAuthorization(value: string | undefined): string | null {
  const match = /^\s*(\w+)\s+(\S+)\s*$/.exec(value ?? '');
  if (!match) return null;
  const [, scheme = '', token = ''] = match;
  switch (scheme.toLowerCase()) {
    case 'bearer':
      return token;
    case 'basic': {
      // Browsers can only send Basic to a dashboard: any user name, the key as password
      // (or as the user name with an empty password, as `curl -u KEY:` sends it).
      const decoded = Buffer.from(token, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return null;
      const password = decoded.slice(colon + 1);
      const user = decoded.slice(0, colon);
      return password || user || null;
    }
    default:
      return null;
  }
}
