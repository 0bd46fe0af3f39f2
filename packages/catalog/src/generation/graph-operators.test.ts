import { parseSmiles } from '../molecule/parse-smiles';
import { loadRDKit, type RDKitModule } from '../molecule/rdkit-module';
import { ChildJudge, MAX_HEAVY_ATOMS } from './child-judge';
import { GraphOperators } from './graph-operators';
import { Random } from './prng';

let rdkit: RDKitModule;
let judge: ChildJudge;
let operators: GraphOperators;

beforeAll(async () => {
  rdkit = await loadRDKit();
  judge = new ChildJudge(rdkit);
  operators = new GraphOperators(rdkit, judge);
});

afterAll(() => {
  operators.dispose();
  judge.dispose();
});

/** RDKit parses it, it is one molecule, and it is already canonical. */
function expectValidCanonical(smiles: string): void {
  const parsed = parseSmiles(rdkit, smiles);
  expect(parsed.ok).toBe(true);
  if (!parsed.ok) return;
  try {
    expect(parsed.mol.get_smiles()).toBe(smiles);
    expect(smiles).not.toMatch(/[.*]/);
    expect(parsed.mol.get_num_atoms(true)).toBeLessThanOrEqual(MAX_HEAVY_ATOMS);
  } finally {
    parsed.mol.delete();
  }
}

describe('GraphGA operators', () => {
  it('when aspirin is mutated many times, then every child is a different valid molecule', () => {
    const random = new Random(5);
    const aspirin = 'CC(=O)Oc1ccccc1C(=O)O';
    const children = Array.from({ length: 40 }, () => operators.mutate(aspirin, random));
    for (const child of children) {
      expect(child).not.toBeNull();
      expect(child).not.toBe(aspirin);
      expectValidCanonical(child!);
    }
    expect(new Set(children).size).toBeGreaterThan(20);
  });

  it('when two parents are crossed, then children are valid and mix atoms of both', () => {
    const random = new Random(9);
    const a = 'CCCCOc1ccccc1';
    const b = 'Cc1ccc2ncccc2c1';
    const children = Array.from({ length: 20 }, () => operators.crossover(a, b, random));
    for (const child of children) {
      expect(child).not.toBeNull();
      expectValidCanonical(child!);
    }
    // Oxygen comes only from a, aromatic nitrogen only from b.
    expect(children.some((c) => c!.includes('O') && c!.includes('n'))).toBe(true);
  });

  it('when a molecule has no bond to cut, then crossover gives null and mutation still works', () => {
    const random = new Random(2);
    expect(operators.crossover('C', 'C', random)).toBeNull();
    expect(operators.mutate('C', random)).not.toBeNull();
  });

  it('when the judge sees a disconnected, dummy, oversized or invalid product, then it rejects it', () => {
    expect(judge.canonical('CCO.C')).toBeNull();
    expect(judge.canonical('[1*]CC')).toBeNull();
    expect(judge.canonical('C'.repeat(MAX_HEAVY_ATOMS + 1))).toBeNull();
    expect(judge.canonical('C1CCCCCCCCC1')).toBeNull();
    expect(judge.canonical('C(C)(C)(C)(C)C')).toBeNull();
    expect(judge.canonical('OCC')).toBe('CCO');
  });
});
