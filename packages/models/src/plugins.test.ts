import path from 'node:path';

import { loadModelModules } from './plugins';

const fixtures = path.join(__dirname, '..', 'test-fixtures');

describe('loadModelModules', () => {
  it('when given relative paths, then they resolve against cwd and every export style is read', async () => {
    const modules = await loadModelModules(['./echo', './slow.js'], {
      cwd: fixtures,
    });
    expect(modules.map((m) => [m.modulePath, m.definitions.map((d) => d.id)])).toEqual([
      [path.join(fixtures, 'echo.js'), ['echo', 'big']],
      [path.join(fixtures, 'slow.js'), ['slow']],
    ]);
    const [viaDefault] = await loadModelModules([path.join(fixtures, 'cooperative-slow.js')]);
    expect(viaDefault?.definitions.map((d) => d.id)).toEqual(['cooperative-slow']);
  });

  it('when a package exports no definitions, then the error names it', async () => {
    await expect(loadModelModules(['zod'])).rejects.toThrow(
      /Model module .*zod.* exports no model definitions/,
    );
  });

  it('when a package cannot be found, then the error names the specifier', async () => {
    await expect(loadModelModules(['@openad-async/no-such-plugin'])).rejects.toThrow(
      'Model module "@openad-async/no-such-plugin" could not be loaded',
    );
  });

  it('when two modules define the same id, then both are named', async () => {
    await expect(
      loadModelModules(['./echo.js', './duplicate-echo.js'], { cwd: fixtures }),
    ).rejects.toThrow(
      `Model id "echo" is defined twice: in ${path.join(fixtures, 'echo.js')} and in ${path.join(fixtures, 'duplicate-echo.js')}`,
    );
  });
});
