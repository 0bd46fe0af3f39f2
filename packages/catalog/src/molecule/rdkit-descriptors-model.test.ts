import type { LoadedModel, PredictContext, PropertyRow } from '@openad-async/models';

import { rdkitDescriptorsModel } from './rdkit-descriptors-model';

const ASPIRIN = 'CC(=O)Oc1ccccc1C(=O)O';
const CAFFEINE = 'Cn1c(=O)c2c(ncn2C)n(C)c1=O';

let model: LoadedModel<Record<string, never>>;

beforeAll(async () => {
  model = await rdkitDescriptorsModel.load();
});

afterAll(() => model.unload?.());

function context(signal: AbortSignal = new AbortController().signal) {
  const progress: [number, number][] = [];
  const ctx: PredictContext = { signal, progress: (done, total) => progress.push([done, total]) };
  return { ctx, progress };
}

async function rows(subjects: unknown[], property_type: string[]): Promise<PropertyRow[]> {
  return (await model.predict(
    { subjects, property_type, parameters: {} },
    context().ctx,
  )) as PropertyRow[];
}

function resultOf(out: PropertyRow[], subject: string, property: string): unknown {
  return out.find((r) => r.subject === subject && r.property === property)?.result;
}

describe('get molecule rdkit', () => {
  it('when aspirin and caffeine are sent, then MW and QED match the reference values', async () => {
    const out = await rows([ASPIRIN, CAFFEINE], ['molecular_weight', 'qed']);
    expect(resultOf(out, ASPIRIN, 'molecular_weight')).toBeCloseTo(180.16, 2);
    expect(Math.abs(Number(resultOf(out, ASPIRIN, 'qed')) - 0.55)).toBeLessThanOrEqual(0.001);
    expect(Math.abs(Number(resultOf(out, CAFFEINE, 'qed')) - 0.538)).toBeLessThanOrEqual(0.001);
  });

  it('when two properties and two subjects are asked, then rows are property-major', async () => {
    const out = await rows([ASPIRIN, CAFFEINE], ['num_heavy_atoms', 'num_rings']);
    expect(out.map((r) => [r.property, r.subject])).toEqual([
      ['num_heavy_atoms', ASPIRIN],
      ['num_heavy_atoms', CAFFEINE],
      ['num_rings', ASPIRIN],
      ['num_rings', CAFFEINE],
    ]);
    expect(out.map((r) => r.result)).toEqual([13, 14, 1, 2]);
  });

  it('when every property of aspirin is asked, then each has the RDKit value', async () => {
    const all = Object.keys(rdkitDescriptorsModel.properties);
    const out = await rows([ASPIRIN], all);
    const byName = Object.fromEntries(out.map((r) => [r.property, r.result]));
    expect(out.every((r) => r.error === undefined)).toBe(true);
    expect(byName).toMatchObject({
      exact_mass: 180.042259,
      logp: 1.3101,
      tpsa: 63.6,
      num_hbd: 1,
      num_hba: 3,
      num_rotatable_bonds: 2,
      num_heavy_atoms: 13,
      num_rings: 1,
      num_aromatic_rings: 1,
      formal_charge: 0,
      canonical_smiles: 'CC(=O)Oc1ccccc1C(=O)O',
      inchikey: 'BSYNRYMUTXBXSQ-UHFFFAOYSA-N',
      lipinski_violations: 0,
    });
    expect(byName.fraction_csp3).toBeCloseTo(1 / 9, 6);
    expect(byName.molar_refractivity).toBeCloseTo(44.7103, 4);
  });

  it('when a SMILES is invalid, then only its rows carry null and an error', async () => {
    const out = await rows([ASPIRIN, 'C1CC', 42, ''], ['qed', 'canonical_smiles']);
    expect(out).toHaveLength(8);
    const bad = out.filter((r) => r.subject !== ASPIRIN);
    expect(bad.every((r) => r.result === null && typeof r.error === 'string')).toBe(true);
    expect(bad.find((r) => r.subject === 'C1CC')?.error).toMatch(/invalid SMILES: unclosed ring/);
    expect(out.filter((r) => r.subject === ASPIRIN).every((r) => r.result !== null)).toBe(true);
  });

  it('when molecules carry charges, then formal_charge sums them', async () => {
    const out = await rows(
      ['[NH3+]CC([O-])=O', '[NH4+]', 'C[N+](C)(C)C.[Cl-].[Cl-]'],
      ['formal_charge'],
    );
    expect(out.map((r) => r.result)).toEqual([0, 1, -1]);
  });

  it('when a molecule breaks the rule of five twice, then lipinski_violations is 2', async () => {
    // C40 alkane: MW 563 and logP 15.7; no N or O.
    const out = await rows(['C'.repeat(40)], ['lipinski_violations']);
    expect(out[0]?.result).toBe(2);
  });

  it('when a batch runs, then progress counts subjects up to the total', async () => {
    const { ctx, progress } = context();
    await model.predict(
      { subjects: [ASPIRIN, CAFFEINE, 'x'], property_type: ['qed'], parameters: {} },
      ctx,
    );
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('when the signal is already aborted, then predict rejects with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('canceled by test');
    controller.abort(reason);
    await expect(
      model.predict(
        { subjects: [ASPIRIN], property_type: ['qed'], parameters: {} },
        context(controller.signal).ctx,
      ),
    ).rejects.toBe(reason);
  });

  it('when the signal aborts after the first subject, then the rest are not computed', async () => {
    const controller = new AbortController();
    const done: number[] = [];
    const ctx: PredictContext = {
      signal: controller.signal,
      progress: (n) => {
        done.push(n);
        controller.abort(new Error('deadline'));
      },
    };
    await expect(
      model.predict(
        { subjects: [ASPIRIN, CAFFEINE, ASPIRIN], property_type: ['qed'], parameters: {} },
        ctx,
      ),
    ).rejects.toThrow('deadline');
    expect(done).toEqual([1]);
  });
});
