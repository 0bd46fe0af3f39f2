import { ADS_PARAMETERS, QED_MEAN_WEIGHTS, QED_PROPERTIES } from './qed-parameters';
import { createQedCalculator, desirability, qedFromProperties, type QedCalculator } from './qed';
import { readDescriptors } from './rdkit-descriptors';
import { loadRDKit, type RDKitModule } from './rdkit-module';

let rdkit: RDKitModule;
let calculator: QedCalculator;

beforeAll(async () => {
  rdkit = await loadRDKit();
  calculator = createQedCalculator(rdkit);
});

afterAll(() => calculator.dispose());

function qedOf(smiles: string): { qed: number; props: ReturnType<QedCalculator['properties']> } {
  const mol = rdkit.get_mol(smiles);
  if (!mol) throw new Error(`bad test SMILES ${smiles}`);
  try {
    const d = readDescriptors(mol);
    return { qed: calculator.qed(mol, d), props: calculator.properties(mol, d) };
  } finally {
    mol.delete();
  }
}

describe('desirability functions', () => {
  it('when a property sits at its most desirable value, then its desirability is close to 1', () => {
    // The ADS peak lies near c; dmax normalises the peak height to about 1.
    for (const name of QED_PROPERTIES) {
      const p = ADS_PARAMETERS[name];
      let best = 0;
      for (let x = p.c - 5 * (p.e + p.f + p.d); x <= p.c + 5 * (p.e + p.f + p.d); x += 0.01 * p.e) {
        best = Math.max(best, desirability(x, p));
      }
      expect(best).toBeGreaterThan(0.98);
      expect(best).toBeLessThan(1.01);
    }
  });

  it('when every desirability is 1, then QED is 1; the mean weights sum to 3.92', () => {
    const sum = QED_PROPERTIES.reduce((s, n) => s + QED_MEAN_WEIGHTS[n], 0);
    expect(sum).toBeCloseTo(3.92, 10);
    expect(qedFromProperties(valuesAtPeak())).toBeGreaterThan(0.98);
  });
});

describe('QED of known drugs', () => {
  it('when aspirin is scored, then QED is 0.550 with 2 alerts (ester, phenol ester) and 4 acceptors', () => {
    const { qed, props } = qedOf('CC(=O)Oc1ccccc1C(=O)O');
    expect(Math.abs(qed - 0.55)).toBeLessThanOrEqual(0.001);
    expect(props).toMatchObject({ HBA: 4, HBD: 1, ROTB: 2, AROM: 1, ALERTS: 2 });
    expect(props.MW).toBeCloseTo(180.159, 3);
  });

  it('when caffeine is scored, then QED is 0.538', () => {
    const { qed, props } = qedOf('Cn1c(=O)c2c(ncn2C)n(C)c1=O');
    expect(Math.abs(qed - 0.538)).toBeLessThanOrEqual(0.001);
    expect(props).toMatchObject({ HBA: 3, HBD: 0, ROTB: 0, AROM: 2, ALERTS: 0 });
  });

  it.each([
    ['famotidine', 'N=C(CCSCc1csc(N=C(N)N)n1)NS(N)(=O)=O', 0.253],
    ['cimetidine', 'CNC(=NCCSCc1nc[nH]c1C)NC#N', 0.235],
    ['tegaserod', 'CCCCCNC(=N)NN=Cc1c[nH]c2ccc(CO)cc12', 0.235],
    ['ibuprofen', 'CC(C)Cc1ccc(cc1)C(C)C(=O)O', 0.822],
  ])('when %s is scored, then QED is %f ±0.001', (_name, smiles, expected) => {
    expect(Math.abs(qedOf(smiles).qed - expected)).toBeLessThanOrEqual(0.001);
  });
});

/** The argmax of each desirability, found on a fine grid. */
function valuesAtPeak(): typeof QED_MEAN_WEIGHTS {
  const out = { ...QED_MEAN_WEIGHTS };
  for (const name of QED_PROPERTIES) {
    const p = ADS_PARAMETERS[name];
    let bestX = p.c;
    let best = 0;
    for (let x = p.c - 5 * (p.e + p.f + p.d); x <= p.c + 5 * (p.e + p.f + p.d); x += 0.01 * p.e) {
      const d = desirability(x, p);
      if (d > best) [best, bestX] = [d, x];
    }
    out[name] = bestX;
  }
  return out;
}
