import type { QedCalculator } from '../molecule/qed';
import { readDescriptors } from '../molecule/rdkit-descriptors';
import type { RDKitModule, RDKitMol } from '../molecule/rdkit-module';

export const OBJECTIVES = ['qed', 'logp', 'similarity'] as const;
export type ObjectiveName = (typeof OBJECTIVES)[number];

/** Scores a sanitised molecule; higher is better. */
export type Objective = (mol: RDKitMol) => number;

/** Morgan fingerprint settings for similarity: radius 2, 2048 bits (ECFP4-like). */
const MORGAN = JSON.stringify({ radius: 2, nBits: 2048 });

export function morganBits(mol: RDKitMol): Uint8Array {
  const bits: unknown = mol.get_morgan_fp_as_uint8array(MORGAN);
  if (!(bits instanceof Uint8Array)) throw new Error('RDKit returned no Morgan fingerprint');
  return bits;
}

/** Tanimoto coefficient of two bit vectors of the same length: |A∧B| / |A∨B|. */
export function tanimoto(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i] ?? 0;
    both += popcount(x & y);
    either += popcount(x | y);
  }
  return either === 0 ? 0 : both / either;
}

function popcount(byte: number): number {
  let n = byte;
  let count = 0;
  while (n) {
    n &= n - 1;
    count++;
  }
  return count;
}

/**
 * The fitness a GraphGA run maximises: QED (Bickerton 2012), Wildman-Crippen logP, or Tanimoto
 * similarity of Morgan fingerprints to a target molecule (`target` required then).
 */
export function createObjective(
  rdkit: RDKitModule,
  name: ObjectiveName,
  qed: QedCalculator,
  target: string | null,
): Objective {
  switch (name) {
    case 'qed':
      return (mol) => qed.qed(mol, readDescriptors(mol));
    case 'logp':
      return (mol) => readDescriptors(mol).CrippenClogP;
    case 'similarity': {
      if (target === null) throw new Error('the similarity objective needs a target SMILES');
      const mol = rdkit.get_mol(target);
      if (mol === null) throw new Error(`invalid target SMILES ${target}`);
      let reference: Uint8Array;
      try {
        reference = morganBits(mol);
      } finally {
        mol.delete();
      }
      return (m) => tanimoto(morganBits(m), reference);
    }
  }
}
