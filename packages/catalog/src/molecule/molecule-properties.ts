import type { QedCalculator } from './qed';
import { readDescriptors, type RDKitDescriptors } from './rdkit-descriptors';
import type { RDKitModule, RDKitMol } from './rdkit-module';

/** Property name → description; the names are the `get molecule rdkit` service's valid types. */
export const MOLECULE_PROPERTIES = {
  molecular_weight: 'Average molecular weight (g/mol), implicit hydrogens included',
  exact_mass: 'Monoisotopic mass (Da)',
  logp: 'Wildman-Crippen logP (octanol/water partition coefficient)',
  molar_refractivity: 'Wildman-Crippen molar refractivity',
  tpsa: 'Topological polar surface area (Å², Ertl 2000; N and O only)',
  num_hbd: 'Hydrogen-bond donors (RDKit definition)',
  num_hba: 'Hydrogen-bond acceptors (RDKit definition)',
  num_rotatable_bonds: 'Rotatable bonds (RDKit strict definition)',
  num_heavy_atoms: 'Heavy (non-hydrogen) atoms',
  num_rings: 'Rings in the smallest set of smallest rings',
  num_aromatic_rings: 'Aromatic rings',
  fraction_csp3: 'Fraction of carbons that are sp3',
  formal_charge: 'Sum of the formal charges',
  canonical_smiles: 'RDKit canonical SMILES',
  inchikey: 'Standard InChIKey',
  lipinski_violations:
    'Violations of the rule of five (MW > 500, logP > 5, NH+OH > 5, N+O > 10; Lipinski et al. 1997)',
  qed: 'Quantitative estimate of drug-likeness (Bickerton et al. 2012, mean weights)',
} as const;

export type MoleculeProperty = keyof typeof MOLECULE_PROPERTIES;

export function isMoleculeProperty(name: string): name is MoleculeProperty {
  return Object.prototype.hasOwnProperty.call(MOLECULE_PROPERTIES, name);
}

/** One parsed molecule with what several properties share (descriptors), computed on first use. */
export class MoleculeFacts {
  private descriptorCache: RDKitDescriptors | undefined;

  constructor(
    private readonly rdkit: RDKitModule,
    readonly mol: RDKitMol,
    private readonly qedCalculator: QedCalculator,
  ) {}

  get descriptors(): RDKitDescriptors {
    this.descriptorCache ??= readDescriptors(this.mol);
    return this.descriptorCache;
  }

  value(property: MoleculeProperty): number | string {
    const d = (): RDKitDescriptors => this.descriptors;
    switch (property) {
      case 'molecular_weight':
        return round(d().amw);
      case 'exact_mass':
        return round(d().exactmw);
      case 'logp':
        return round(d().CrippenClogP);
      case 'molar_refractivity':
        return round(d().CrippenMR);
      case 'tpsa':
        return round(d().tpsa);
      case 'num_hbd':
        return d().NumHBD;
      case 'num_hba':
        return d().NumHBA;
      case 'num_rotatable_bonds':
        return d().NumRotatableBonds;
      case 'num_heavy_atoms':
        return d().NumHeavyAtoms;
      case 'num_rings':
        return d().NumRings;
      case 'num_aromatic_rings':
        return d().NumAromaticRings;
      case 'fraction_csp3':
        return round(d().FractionCSP3);
      case 'formal_charge':
        return formalCharge(this.mol);
      case 'canonical_smiles':
        return this.mol.get_smiles();
      case 'inchikey':
        return this.inchiKey();
      case 'lipinski_violations':
        return lipinskiViolations(d());
      case 'qed':
        return round(this.qedCalculator.qed(this.mol, d()));
    }
  }

  private inchiKey(): string {
    const inchi = this.mol.get_inchi();
    const key = inchi ? this.rdkit.get_inchikey_for_inchi(inchi) : '';
    if (!key) throw new Error('no InChI for this molecule (e.g. it has query or dummy atoms)');
    return key;
  }
}

/** Rule-of-five counts with Lipinski's own donor/acceptor definitions (NH+OH, N+O). */
function lipinskiViolations(d: RDKitDescriptors): number {
  return (
    Number(d.amw > 500) +
    Number(d.CrippenClogP > 5) +
    Number(d.lipinskiHBD > 5) +
    Number(d.lipinskiHBA > 10)
  );
}

/** Sums the atoms' `chg` in RDKit's JSON (an absent `chg` is the default atom's charge). */
function formalCharge(mol: RDKitMol): number {
  const doc: unknown = JSON.parse(mol.get_json());
  const defaults = field(field(doc, 'defaults'), 'atom');
  const fallback = numberOr(field(defaults, 'chg'), 0);
  let total = 0;
  for (const m of arrayOf(field(doc, 'molecules'))) {
    for (const atom of arrayOf(field(m, 'atoms'))) total += numberOr(field(atom, 'chg'), fallback);
  }
  return total;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** Six decimals: finer than any of these descriptors means, and no float noise like 63.600000000000001. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
