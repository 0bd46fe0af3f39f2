import { KeyRing, ownerTag } from './key-ring';

const USER = 'user-key-0123456789abcdef';
const OTHER = 'other-key-0123456789abcdef';
const ADMIN = 'admin-key-0123456789abcdef';

describe('KeyRing', () => {
  it('when a configured key is presented, then it is matched with its owner tag; others are not', () => {
    const ring = new KeyRing([USER, OTHER], [ADMIN]);
    expect(ring.match(USER)).toEqual({ owner: ownerTag(USER), admin: false });
    expect(ring.match(ADMIN)).toEqual({ owner: ownerTag(ADMIN), admin: true });
    expect(ring.match(`${USER}x`)).toBeNull();
    expect(ring.match('')).toBeNull();
  });

  it('when a key is both an api and an admin key, then it is an admin key', () => {
    expect(new KeyRing([ADMIN], [ADMIN]).match(ADMIN)?.admin).toBe(true);
  });

  it('owner tags are the hex SHA-256 of the key, never the key itself', () => {
    expect(ownerTag(USER)).toMatch(/^[0-9a-f]{64}$/);
    expect(ownerTag(USER)).not.toContain(USER);
    expect(ownerTag(USER)).not.toBe(ownerTag(OTHER));
  });
});
