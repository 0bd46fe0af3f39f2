import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every source file of the package (not tests), recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('the client package', () => {
  it('takes only types from contracts, so it ships without zod or any other dependency', () => {
    const offenders = sources(__dirname).filter((file) =>
      /^import\s+(?!type\b)[^;]*from\s+'@openad-async\//m.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps Node-only modules out of the SDK, so it runs in browsers', () => {
    const sdk = sources(__dirname).filter((f) => !f.includes(`${join('src', 'cli')}`));
    const offenders = sdk.filter((file) => /from\s+'node:/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
