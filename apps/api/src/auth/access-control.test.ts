import { AuthError } from '@openad-async/contracts';

import { ANONYMOUS, AccessControl, type AccessLevel } from './access-control';

const USER = 'user-key-0123456789abcdef';
const ADMIN = 'admin-key-0123456789abcdef';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function outcome(access: AccessControl, level: AccessLevel, key?: string): string {
  try {
    const p = access.authenticate(level, key === undefined ? {} : bearer(key));
    if (p === ANONYMOUS) return 'open';
    return p.admin ? 'admin' : 'user';
  } catch (err) {
    if (err instanceof AuthError) return String(err.status);
    throw err;
  }
}

describe('AccessControl', () => {
  it('when no keys are set, then every level is open', () => {
    const access = new AccessControl({ apiKeys: [], adminKeys: [] });
    for (const level of ['public', 'user', 'operator', 'admin'] as const) {
      expect(outcome(access, level)).toBe('open');
      expect(outcome(access, level, USER)).toBe('open');
    }
  });

  it('when api and admin keys are set, then 401 without a key, 403 with a wrong or too weak one', () => {
    const access = new AccessControl({ apiKeys: [USER], adminKeys: [ADMIN] });
    expect(outcome(access, 'public')).toBe('open');
    expect(outcome(access, 'user')).toBe('401');
    expect(outcome(access, 'user', 'wrong-key-0123456789')).toBe('403');
    expect(outcome(access, 'user', USER)).toBe('user');
    expect(outcome(access, 'user', ADMIN)).toBe('admin');
    expect(outcome(access, 'operator', USER)).toBe('403');
    expect(outcome(access, 'operator', ADMIN)).toBe('admin');
    expect(outcome(access, 'admin')).toBe('401');
    expect(outcome(access, 'admin', USER)).toBe('403');
    expect(outcome(access, 'admin', ADMIN)).toBe('admin');
  });

  it('when only api keys are set, then stats need an api key and the dashboard is closed to all', () => {
    const access = new AccessControl({ apiKeys: [USER], adminKeys: [] });
    expect(outcome(access, 'operator', USER)).toBe('user');
    expect(outcome(access, 'admin')).toBe('401');
    expect(outcome(access, 'admin', USER)).toBe('403');
  });

  it('when only admin keys are set, then user routes are open and admin routes need an admin key', () => {
    const access = new AccessControl({ apiKeys: [], adminKeys: [ADMIN] });
    expect(outcome(access, 'user')).toBe('open');
    // Keys are ignored on open routes: requests stay anonymous, so they stay readable by all.
    expect(outcome(access, 'user', ADMIN)).toBe('open');
    expect(outcome(access, 'operator')).toBe('401');
    expect(outcome(access, 'operator', ADMIN)).toBe('admin');
    expect(outcome(access, 'admin', ADMIN)).toBe('admin');
  });
});
