import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** A callback URL the service will not call; the message says why (it reaches the client). */
export class CallbackRefusedError extends Error {}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (dns.lookup, as connections do). */
export type ResolveAll = (hostname: string) => Promise<ResolvedAddress[]>;

export interface CallbackTargetOptions {
  /** Allow loopback, private, link-local and other non-public addresses. @defaultValue false */
  allowPrivate: boolean;
  /** @defaultValue dns.lookup with all: true */
  resolve?: ResolveAll;
}

/**
 * Ranges a callback may not reach: the service's own host and network, cloud metadata
 * endpoints (169.254.169.254, fd00:ec2::254), and addresses that are not publicly routable.
 * IPv4 inside IPv6 (mapped, NAT64, 6to4) is checked as IPv4.
 */
const NOT_PUBLIC = (() => {
  const list = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8], // "this network"
    ['10.0.0.0', 8], // private
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8], // loopback
    ['169.254.0.0', 16], // link-local, cloud metadata
    ['172.16.0.0', 12], // private
    ['192.0.0.0', 24], // IETF protocol assignments
    ['192.0.2.0', 24], // documentation
    ['192.88.99.0', 24], // 6to4 relay anycast
    ['192.168.0.0', 16], // private
    ['198.18.0.0', 15], // benchmarking
    ['198.51.100.0', 24], // documentation
    ['203.0.113.0', 24], // documentation
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, broadcast
  ];
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  const v6: [string, number][] = [
    ['::', 128], // unspecified
    ['::1', 128], // loopback
    ['100::', 64], // discard
    ['2001::', 32], // Teredo (hides an IPv4 address)
    ['2001:db8::', 32], // documentation
    ['fc00::', 7], // unique local
    ['fe80::', 10], // link-local
    ['fec0::', 10], // site-local (deprecated)
    ['ff00::', 8], // multicast
  ];
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

/** Whether an IP address is publicly routable (not loopback, private, link-local, …). */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return !NOT_PUBLIC.check(ip, 'ipv4');
  if (family !== 6) return false;
  const embedded = embeddedIpv4(ip);
  if (embedded !== null) return !NOT_PUBLIC.check(embedded, 'ipv4');
  return !NOT_PUBLIC.check(ip, 'ipv6');
}

/**
 * Checks a callback URL: http(s), no credentials, and (unless private targets are allowed)
 * every address its host resolves to is public: one private answer is enough to refuse, so a
 * name cannot hide an internal address among public ones. Returns the checked addresses, which
 * a delivery must connect to (see pinnedLookup), so DNS cannot change between check and call.
 */
export async function resolveCallbackTarget(
  raw: string,
  o: CallbackTargetOptions,
): Promise<{ url: URL; addresses: ResolvedAddress[] }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackRefusedError('must be an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CallbackRefusedError('must be an http(s) URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw new CallbackRefusedError('must not carry credentials (they would show in the status)');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  const literal = isIP(host);
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 4 ? 4 : 6 }];
  } else {
    try {
      addresses = await (o.resolve ?? resolveAll)(host);
    } catch {
      throw new CallbackRefusedError(`host ${host} cannot be resolved`);
    }
    if (addresses.length === 0) throw new CallbackRefusedError(`host ${host} has no address`);
  }
  if (!o.allowPrivate) {
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked) {
      throw new CallbackRefusedError(
        `points to a private, loopback or otherwise non-public address (${blocked.address})`,
      );
    }
  }
  return { url, addresses };
}

/**
 * A `lookup` for http.request that answers only the addresses already checked, so the
 * connection goes where the check looked, never to a new DNS answer.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const usable = addresses.filter((a) => !options.family || a.family === options.family);
    const first = usable[0];
    if (!first) {
      callback(new Error('no checked address of the asked family'), '', 4);
      return;
    }
    if (options.all) {
      (callback as unknown as (err: null, all: ResolvedAddress[]) => void)(null, usable);
    } else {
      callback(null, first.address, first.family);
    }
  };
}

async function resolveAll(hostname: string): Promise<ResolvedAddress[]> {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/** The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) or 6to4 address. */
function embeddedIpv4(ip: string): string | null {
  const words = ipv6Words(ip);
  if (!words) return null;
  const [w0, w1, w2, w3, w4, w5, w6, w7] = words as [number, ...number[]];
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (...ws: (number | undefined)[]) => ws.every((w) => w === 0);
  if (zero(w0, w1, w2, w3, w4) && w5 === 0xffff) return v4(w6 ?? 0, w7 ?? 0);
  if (w0 === 0x64 && w1 === 0xff9b && zero(w2, w3, w4, w5)) return v4(w6 ?? 0, w7 ?? 0);
  if (w0 === 0x2002) return v4(w1 ?? 0, w2 ?? 0);
  // IPv4-compatible (::a.b.c.d, deprecated), but not :: and ::1 themselves.
  if (zero(w0, w1, w2, w3, w4, w5) && (w6 ?? 0) !== 0) return v4(w6 ?? 0, w7 ?? 0);
  return null;
}

/** The eight 16-bit words of an IPv6 address (with '::' and a dotted IPv4 tail expanded). */
function ipv6Words(ip: string): number[] | null {
  let text = ip.split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return null;
  const words = [...left, ...Array<number>(missing).fill(0), ...right];
  return words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : null;
}
