import { failAll, joinResult } from './prediction-rows';

const inputs = [
  { row: 1, subject: 'CCO' },
  { row: 2, subject: 'bad' },
  { row: 3, subject: 'CCO' },
];

describe('joinResult', () => {
  it('when rows come property-major, then each subject gets its own values and errors', () => {
    const result = [
      { subject: 'CCO', property: 'mw', result: 46.07 },
      { subject: 'bad', property: 'mw', result: null, error: 'invalid SMILES' },
      { subject: 'CCO', property: 'mw', result: 46.07 },
      { subject: 'CCO', property: 'qed', result: 0.41 },
      { subject: 'bad', property: 'qed', result: null, error: 'invalid SMILES' },
      { subject: 'CCO', property: 'qed', result: 0.41 },
    ];
    expect(joinResult(inputs, ['mw', 'qed'], result)).toEqual([
      { input: inputs[0], values: { mw: 46.07, qed: 0.41 } },
      { input: inputs[1], values: { mw: null, qed: null }, error: 'invalid SMILES' },
      { input: inputs[2], values: { mw: 46.07, qed: 0.41 } },
    ]);
  });

  it('when the result has the wrong length, then every row says so instead of guessing', () => {
    const rows = joinResult(inputs, ['mw'], [{ subject: 'CCO', property: 'mw', result: 1 }]);
    expect(rows.map((r) => r.error)).toEqual(
      Array(3).fill('unexpected result: 1 rows for 3 expected'),
    );
  });

  it('when a row is for another subject, then that value is refused', () => {
    const result = [
      { subject: 'bad', property: 'mw', result: 1 },
      { subject: 'CCO', property: 'mw', result: 2 },
      { subject: 'CCO', property: 'mw', result: 3 },
    ];
    const rows = joinResult(inputs, ['mw'], result);
    expect(rows[0]).toEqual({ input: inputs[0], values: {}, error: 'mw: result out of order' });
    expect(rows[2]).toEqual({ input: inputs[2], values: { mw: 3 } });
  });

  it('when a request failed, then each of its rows carries the reason', () => {
    expect(failAll(inputs.slice(0, 1), 'request x ended timeout')).toEqual([
      { input: inputs[0], values: {}, error: 'request x ended timeout' },
    ]);
  });
});
