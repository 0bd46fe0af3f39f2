import { dockerBytes, durationSeconds, editDistance, kubeBytes, MiB, shellSplit } from './util';

test.each([
  ['3Gi', 3072 * MiB],
  ['512Mi', 512 * MiB],
  ['2G', 2e9],
  ['1500000000', 1.5e9],
  ['7Gi', 7168 * MiB],
  ['lots', undefined],
])('kubeBytes(%s)', (q, bytes) => {
  expect(kubeBytes(q)).toBe(bytes);
});

test.each([
  ['3G', 3072 * MiB],
  ['512m', 512 * MiB],
  ['1gb', 1024 * MiB],
  ['2048', 2048],
  ['3 gigs', undefined],
])('dockerBytes(%s)', (q, bytes) => {
  expect(dockerBytes(q)).toBe(bytes);
});

test.each([
  ['45s', 45],
  ['1m30s', 90],
  ['500ms', 0.5],
  ['1h', 3600],
  ['soon', undefined],
])('durationSeconds(%s)', (d, seconds) => {
  expect(durationSeconds(d)).toBe(seconds);
});

test('shellSplit keeps quoted words together', () => {
  expect(shellSplit(`node -e "a b" 'c d' e`)).toEqual(['node', '-e', 'a b', 'c d', 'e']);
  expect(shellSplit('npm run  api')).toEqual(['npm', 'run', 'api']);
});

test('editDistance finds a one-letter typo', () => {
  expect(editDistance('OPENAD_ASYNC_RESULT_TTL_HOUR', 'OPENAD_ASYNC_RESULT_TTL_HOURS')).toBe(1);
  expect(editDistance('abc', 'abc')).toBe(0);
});
