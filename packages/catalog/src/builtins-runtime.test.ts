import { ModelRuntime } from '@openad-async/models';
import { silentLogger } from '@openad-async/telemetry';

import { builtinModulePath } from './builtin-module';

const live = () => ({ signal: new AbortController().signal });

describe('the built-in models under the resource manager, in real host threads', () => {
  const limitMb = 120;
  const runtime = new ModelRuntime({
    modules: [builtinModulePath()],
    maxModels: 5,
    maxMemoryMb: limitMb,
    memoryHeadroomMb: 0,
    evictionStrategy: 'least_recently_used',
    logger: silentLogger,
  });
  beforeAll(() => runtime.start());
  afterAll(() => runtime.close());

  it('when models are loaded one after another, then the memory limit holds by evicting the least recently used', async () => {
    const descriptors = await runtime.run(
      'rdkit-descriptors',
      {
        property_type: ['molecular_weight'],
        subjects: ['CC(=O)OC1=CC=CC=C1C(=O)O'],
        parameters: {},
      },
      live(),
    );
    expect(descriptors).toEqual([
      {
        subject: 'CC(=O)OC1=CC=CC=C1C(=O)O',
        property: 'molecular_weight',
        result: expect.closeTo(180.16, 2),
      },
    ]);
    const afterFirst = runtime.stats();
    expect(afterFirst.total_memory_mb).toBeLessThanOrEqual(limitMb);
    // The measured size replaced the declared 110 MB.
    expect(afterFirst.models['rdkit-descriptors']!.size_mb).not.toBe(110);

    const generated = await runtime.run(
      'graph-ga',
      {
        property_type: ['GraphGAGenerator'],
        subjects: [],
        parameters: {
          target: '',
          objective: 'qed',
          generations: 1,
          population_size: 4,
          mutation_rate: 0.2,
          seed: 1,
        },
        sample_size: 2,
      },
      live(),
    );
    expect(generated).toHaveLength(2);
    const afterSecond = runtime.stats();
    expect(afterSecond.total_memory_mb).toBeLessThanOrEqual(limitMb);
    expect(afterSecond.evictions).toBe(1);
    expect(Object.keys(afterSecond.models)).toEqual(['graph-ga']);

    await runtime.run(
      'protparam',
      { property_type: ['length'], subjects: ['MKV'], parameters: { pka_set: 'expasy' } },
      live(),
    );
    const afterThird = runtime.stats();
    expect(afterThird.total_memory_mb).toBeLessThanOrEqual(limitMb);
    expect(Object.keys(afterThird.models).sort()).toEqual(['graph-ga', 'protparam']);
  }, 60000);
});
