import { BJELLQVIST_PKA, EMBOSS_PKA } from './pka-sets';
import { parseSequence } from './protein-sequence';
import { PROTEIN_PROPERTIES, ProteinFacts, type ProteinProperty } from './protparam';

const UBIQUITIN = 'MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG';

function facts(sequence: string, pka = BJELLQVIST_PKA): ProteinFacts {
  const parsed = parseSequence(sequence);
  if (!parsed.ok) throw new Error(parsed.error);
  return new ProteinFacts(parsed.residues, pka);
}

function all(sequence: string): Record<ProteinProperty, number> {
  const f = facts(sequence);
  const names = Object.keys(PROTEIN_PROPERTIES) as ProteinProperty[];
  return Object.fromEntries(names.map((n) => [n, f.value(n)])) as Record<ProteinProperty, number>;
}

describe('ProtParam properties', () => {
  it('when human ubiquitin is analysed, then MW, pI and the ExPASy-published values match', () => {
    const u = all(UBIQUITIN);
    expect(Math.abs(u.molecular_weight - 8564.8)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(u.isoelectric_point - 6.56)).toBeLessThanOrEqual(0.05);
    expect(u.length).toBe(76);
    // One Tyr, no Trp, no Cys: the textbook ε280 of ubiquitin.
    expect(u.extinction_coefficient_reduced).toBe(1490);
    expect(u.extinction_coefficient_cystines).toBe(1490);
    expect(u.gravy).toBeCloseTo(-0.489, 3);
    expect(u.aromaticity).toBeCloseTo(3 / 76, 4);
  });

  it('when the sequence has a known pI in ExPASy and EMBOSS, then each pKa set gives its tool’s value', () => {
    // Values published by the tools for this peptide: ExPASy ProtParam 9.88, EMBOSS pepstats 9.7158.
    const peptide = 'QWGRRCCGWGPGRRYCVRWC';
    expect(facts(peptide, BJELLQVIST_PKA).value('isoelectric_point')).toBeCloseTo(9.88, 2);
    expect(Math.abs(facts(peptide, EMBOSS_PKA).value('isoelectric_point') - 9.7158)).toBeLessThan(
      0.01,
    );
  });

  it('when a peptide is tiny, then the instability and aliphatic indices follow their formulas', () => {
    // DIWV(W,W) = 1, DIWV(W,A) = -14.03: II = 10/3 × (1 − 14.03).
    expect(facts('WWA').value('instability_index')).toBeCloseTo((10 / 3) * (1 - 14.03), 2);
    // x_A = 1/4, x_V = 1/4, x_I + x_L = 2/4.
    expect(facts('AVIL').value('aliphatic_index')).toBeCloseTo(
      100 * (0.25 + 2.9 * 0.25 + 3.9 * 0.5),
      2,
    );
    expect(facts('W').value('instability_index')).toBe(0);
  });

  it('when Cys residues are present, then only complete pairs count as cystines', () => {
    const f = facts('WYCCC');
    expect(f.value('extinction_coefficient_reduced')).toBe(5500 + 1490);
    expect(f.value('extinction_coefficient_cystines')).toBe(5500 + 1490 + 125);
  });

  it('when the charge at pH 7 is asked, then it is the Henderson-Hasselbalch sum with terminal pKas', () => {
    // K-D-E with Bjellqvist pKas: N-term 7.5 (K has no special value), K 10.0, D 4.05, E 4.45,
    // C-terminal Glu 4.75.
    const pos = (pk: number): number => 1 / (1 + 10 ** (7 - pk));
    const neg = (pk: number): number => 1 / (1 + 10 ** (pk - 7));
    const expected = pos(7.5) + pos(10) - neg(4.05) - neg(4.45) - neg(4.75);
    expect(facts('KDE').value('net_charge_ph7')).toBeCloseTo(expected, 2);
    expect(all(UBIQUITIN).net_charge_ph7).toBeCloseTo(-0.4, 2);
  });
});

describe('protein sequence parsing', () => {
  it('when a sequence has lower case and line breaks, then they are accepted', () => {
    const parsed = parseSequence('mqif\nvktl tg');
    expect(parsed).toEqual({ ok: true, residues: [...'MQIFVKTLTG'] });
  });

  it('when a sequence has a letter outside the 20 standard residues, then the error names it', () => {
    expect(parseSequence('MKTXB')).toEqual({
      ok: false,
      error: expect.stringContaining('"X" at position 4'),
    });
    expect(parseSequence('')).toEqual({ ok: false, error: 'empty protein sequence' });
    expect(parseSequence(7)).toMatchObject({ ok: false });
  });
});
