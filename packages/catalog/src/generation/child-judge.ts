import { parseSmiles } from '../molecule/parse-smiles';
import type { RDKitModule, RDKitMol } from '../molecule/rdkit-module';

/**
 * Children larger than this are rejected: crossover can otherwise snowball molecule size, as
 * Jensen (2019) notes; 50 heavy atoms is past the size of nearly all oral drugs.
 */
export const MAX_HEAVY_ATOMS = 50;

/** Graph edits RDKit accepts but chemists would not make: macrocycles, triple bonds in rings. */
const REJECT_SMARTS = ['[r{9-}]', '*#@*'];

/**
 * Decides which raw reaction products become GA children: RDKit must parse and sanitise them,
 * they must be one connected molecule without dummy atoms, within the size limit and free of the
 * rejected patterns. Answers the canonical SMILES, the child's identity in the GA.
 */
export class ChildJudge {
  private readonly rejects: RDKitMol[] = [];

  constructor(private readonly rdkit: RDKitModule) {
    for (const s of REJECT_SMARTS) {
      const q = rdkit.get_qmol(s);
      if (q === null) {
        this.dispose();
        throw new Error(`RDKit cannot compile the SMARTS ${s}`);
      }
      this.rejects.push(q);
    }
  }

  canonical(raw: string): string | null {
    if (raw.includes('.') || raw.includes('*')) return null;
    const parsed = parseSmiles(this.rdkit, raw);
    if (!parsed.ok) return null;
    const mol = parsed.mol;
    try {
      if (mol.get_num_atoms(true) > MAX_HEAVY_ATOMS) return null;
      if (this.rejects.some((q) => mol.get_substruct_match(q) !== '{}')) return null;
      const smiles = mol.get_smiles();
      return smiles.includes('.') || !this.roundTrips(smiles) ? null : smiles;
    } finally {
      mol.delete();
    }
  }

  /**
   * The GA re-reads members from their SMILES (to score, to cut), so a child whose canonical
   * SMILES RDKit cannot read back to itself (rare aromaticity corner cases) is not kept.
   */
  private roundTrips(smiles: string): boolean {
    const again = parseSmiles(this.rdkit, smiles);
    if (!again.ok) return false;
    try {
      return again.mol.get_smiles() === smiles;
    } finally {
      again.mol.delete();
    }
  }

  dispose(): void {
    this.rejects.forEach((q) => q.delete());
    this.rejects.length = 0;
  }
}
