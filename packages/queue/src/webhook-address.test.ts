import {
  CallbackRefusedError,
  isPublicAddress,
  pinnedLookup,
  resolveCallbackTarget,
  type ResolvedAddress,
} from './webhook-address';

/** A resolver with fixed answers: what a DNS server would say, without asking one. */
const dns =
  (answers: Record<string, string[]>) =>
  async (host: string): Promise<ResolvedAddress[]> => {
    const found = answers[host];
    if (!found) throw new Error(`ENOTFOUND ${host}`);
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('callback addresses', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:c0a8:0101::1',
    '::127.0.0.1',
    '2001:db8::1',
    'not-an-ip',
  ])('when the address is %s, then it is not public', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('when the address is %s, then it is public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it('when a URL is not http(s) or carries credentials, then it is refused', async () => {
    const o = { allowPrivate: true, resolve: dns({}) };
    await expect(resolveCallbackTarget('ftp://example.com/x', o)).rejects.toThrow('http(s)');
    await expect(resolveCallbackTarget('file:///etc/passwd', o)).rejects.toThrow('http(s)');
    await expect(resolveCallbackTarget('http://user:pw@8.8.8.8/', o)).rejects.toThrow(
      'credentials',
    );
  });

  it('when a name resolves to a private address among public ones, then it is refused', async () => {
    const resolve = dns({ 'hooks.example.com': ['8.8.8.8', '10.0.0.5'] });
    const err = await resolveCallbackTarget('https://hooks.example.com/in', {
      allowPrivate: false,
      resolve,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallbackRefusedError);
    expect((err as Error).message).toContain('10.0.0.5');
  });

  it('when literal loopback addresses are given, then they are refused without a lookup', async () => {
    const resolve = dns({});
    for (const url of ['http://127.0.0.1:8080/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/']) {
      await expect(resolveCallbackTarget(url, { allowPrivate: false, resolve })).rejects.toThrow(
        CallbackRefusedError,
      );
    }
  });

  it('when a name does not resolve, then it is refused as such', async () => {
    await expect(
      resolveCallbackTarget('https://nowhere.invalid/', { allowPrivate: false, resolve: dns({}) }),
    ).rejects.toThrow('cannot be resolved');
  });

  it('when private targets are allowed, then they pass with their addresses', async () => {
    const target = await resolveCallbackTarget('http://receiver.local:9000/hook', {
      allowPrivate: true,
      resolve: dns({ 'receiver.local': ['127.0.0.1'] }),
    });
    expect(target.url.port).toBe('9000');
    expect(target.addresses).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it('when a connection looks the host up, then it gets only the checked addresses', () => {
    const lookup = pinnedLookup([
      { address: '8.8.8.8', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ]);
    const seen: unknown[] = [];
    lookup('evil.example', { all: true }, (...args: unknown[]) => seen.push(args));
    lookup('evil.example', { family: 6 }, (...args: unknown[]) => seen.push(args));
    expect(seen).toEqual([
      [
        null,
        [
          { address: '8.8.8.8', family: 4 },
          { address: '2606:4700:4700::1111', family: 6 },
        ],
      ],
      [null, '2606:4700:4700::1111', 6],
    ]);
  });
});
