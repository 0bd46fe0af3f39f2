import { createHash, timingSafeEqual } from 'node:crypto';

/** Who a key is: its owner tag and whether it may use admin routes. */
export interface KeyIdentity {
  owner: string;
  admin: boolean;
}

/**
 * The owner tag of a key: its SHA-256, hex. Stored with every request the key submits (job
 * payload and terminal record) so status, results and cancel answer only that key; the key
 * itself is never stored or logged. Keys are at least 16 characters (config rule), which keeps
 * the tag from being reversed by guessing.
 */
export function ownerTag(key: string): string {
  return digest(key).toString('hex');
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * The configured API and admin keys, compared in constant time: a presented key is hashed
 * (fixed length whatever its length) and checked against every configured digest without an
 * early exit, so neither the answer time nor its failure point reveals how much of a key matched.
 */
export class KeyRing {
  private readonly entries: ReadonlyArray<{ digest: Buffer; owner: string; admin: boolean }>;

  constructor(apiKeys: readonly string[], adminKeys: readonly string[]) {
    const byKey = new Map<string, boolean>();
    for (const key of apiKeys) byKey.set(key, byKey.get(key) ?? false);
    for (const key of adminKeys) byKey.set(key, true);
    this.entries = [...byKey].map(([key, admin]) => ({
      digest: digest(key),
      owner: ownerTag(key),
      admin,
    }));
  }

  /** The identity of `key`, or null when it is none of the configured keys. */
  match(key: string): KeyIdentity | null {
    const presented = digest(key);
    let found: KeyIdentity | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(presented, entry.digest) && found === null) {
        found = { owner: entry.owner, admin: entry.admin };
      }
    }
    return found;
  }
}
