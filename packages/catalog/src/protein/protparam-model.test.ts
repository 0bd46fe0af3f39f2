import type { LoadedModel, PredictContext, PropertyRow } from '@openad-async/models';

import { protparamModel } from './protparam-model';

const UBIQUITIN = 'MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG';

let model: LoadedModel<{ pka_set: 'expasy' | 'emboss' }>;

beforeAll(async () => {
  model = await protparamModel.load();
});

const ctx = (signal = new AbortController().signal): PredictContext => ({
  signal,
  progress: () => {},
});

describe('get protein protparam', () => {
  it('when ubiquitin and a bad sequence are sent, then rows are property-major and only the bad one errs', async () => {
    const out = (await model.predict(
      {
        subjects: [UBIQUITIN, 'MKJ'],
        property_type: ['molecular_weight', 'isoelectric_point'],
        parameters: protparamModel.parameters.parse({}),
      },
      ctx(),
    )) as PropertyRow[];
    expect(out.map((r) => [r.property, r.subject === UBIQUITIN])).toEqual([
      ['molecular_weight', true],
      ['molecular_weight', false],
      ['isoelectric_point', true],
      ['isoelectric_point', false],
    ]);
    expect(Math.abs(Number(out[0]?.result) - 8564.8)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(Number(out[2]?.result) - 6.56)).toBeLessThanOrEqual(0.05);
    expect(out[1]).toMatchObject({
      result: null,
      error: expect.stringContaining('"J" at position 3'),
    });
    expect(out[3]?.result).toBeNull();
  });

  it('when pka_set is emboss, then the pI uses the EMBOSS values', async () => {
    const parameters = protparamModel.parameters.parse({ pka_set: 'emboss' });
    const [row] = (await model.predict(
      { subjects: ['QWGRRCCGWGPGRRYCVRWC'], property_type: ['isoelectric_point'], parameters },
      ctx(),
    )) as PropertyRow[];
    expect(Math.abs(Number(row?.result) - 9.72)).toBeLessThanOrEqual(0.01);
  });

  it('when pka_set is not a known set, then the parameters are rejected', () => {
    expect(protparamModel.parameters.safeParse({ pka_set: 'lehninger' }).success).toBe(false);
  });

  it('when the signal is aborted, then predict rejects with its reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('canceled'));
    await expect(
      model.predict(
        { subjects: [UBIQUITIN], property_type: ['length'], parameters: { pka_set: 'expasy' } },
        ctx(controller.signal),
      ),
    ).rejects.toThrow('canceled');
  });
});
