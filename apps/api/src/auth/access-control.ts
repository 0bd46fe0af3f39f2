import { AuthError } from '@openad-async/contracts';

import { presentedKey, type Credentials } from './credentials';
import { KeyRing } from './key-ring';

/** Who is calling, as far as the routes need to know. */
export interface Principal {
  /** Owner tag of the caller's key (see ownerTag); null when the route is open. */
  owner: string | null;
  /** Whether the caller used an admin key. */
  admin: boolean;
}

export const ANONYMOUS: Principal = Object.freeze({ owner: null, admin: false });

/**
 * How much a route asks of its caller.
 * - `public`: nothing (probes, API docs).
 * - `user`: an API or admin key when `OPENAD_ASYNC_API_KEYS` is set; open otherwise.
 * - `operator` (`/async/stats`, a protected `/metrics`): an admin key when
 *   `OPENAD_ASYNC_ADMIN_KEYS` is set; else as `user`. Aggregates only, no request data.
 * - `admin` (`/admin/*`): an admin key when admin keys are set. With API keys but no admin keys
 *   nobody gets in: the dashboard shows every key's requests, so an API key must not suffice.
 *   With no keys at all it is open, like everything else (and warned about at start).
 */
export type AccessLevel = 'public' | 'user' | 'operator' | 'admin';

export interface AccessControlOptions {
  /** @defaultValue [] (open) */
  apiKeys: readonly string[];
  /** @defaultValue [] */
  adminKeys: readonly string[];
}

/** Decides every access question; framework-free, so each rule is testable on its own. */
export class AccessControl {
  private readonly ring: KeyRing;
  readonly userKeysRequired: boolean;
  readonly adminKeysSet: boolean;

  constructor(o: AccessControlOptions) {
    this.ring = new KeyRing(o.apiKeys, o.adminKeys);
    this.userKeysRequired = o.apiKeys.length > 0;
    this.adminKeysSet = o.adminKeys.length > 0;
  }

  /** Whether `level` needs a key under this configuration. */
  requiresKey(level: AccessLevel): boolean {
    switch (level) {
      case 'public':
        return false;
      case 'user':
        return this.userKeysRequired;
      case 'operator':
      case 'admin':
        return this.adminKeysSet || this.userKeysRequired;
    }
  }

  /** The caller at `level`, or AuthError: 401 without a key, 403 with one that is not enough. */
  authenticate(level: AccessLevel, credentials: Credentials): Principal {
    if (!this.requiresKey(level)) return ANONYMOUS;
    const key = presentedKey(credentials);
    if (key === null) {
      throw new AuthError(
        'UNAUTHORIZED',
        'API key required: send Authorization: Bearer <key> or X-API-Key',
      );
    }
    const identity = this.ring.match(key);
    if (identity === null) throw new AuthError('FORBIDDEN', 'Invalid API key');
    const needsAdmin = level === 'admin' || (level === 'operator' && this.adminKeysSet);
    if (needsAdmin && !this.adminKeysSet) {
      throw new AuthError(
        'FORBIDDEN',
        'Admin routes are disabled: set OPENAD_ASYNC_ADMIN_KEYS to use them',
      );
    }
    if (needsAdmin && !identity.admin) throw new AuthError('FORBIDDEN', 'Admin key required');
    return identity;
  }
}
