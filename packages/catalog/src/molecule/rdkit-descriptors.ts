import type { RDKitMol } from './rdkit-module';

/** The RDKit descriptors the built-in models read (`Mol.get_descriptors()` keys). */
const KEYS = [
  'amw',
  'exactmw',
  'CrippenClogP',
  'CrippenMR',
  'tpsa',
  'NumHBD',
  'NumHBA',
  'lipinskiHBD',
  'lipinskiHBA',
  'NumRotatableBonds',
  'NumHeavyAtoms',
  'NumRings',
  'NumAromaticRings',
  'FractionCSP3',
] as const;

export type RDKitDescriptors = Record<(typeof KEYS)[number], number>;

/**
 * Reads a molecule's RDKit descriptors. `get_descriptors()` computes all ~40 of them at once (the
 * largest cost per molecule), so callers read it once per molecule and share the result.
 */
export function readDescriptors(mol: RDKitMol): RDKitDescriptors {
  const raw: unknown = JSON.parse(mol.get_descriptors());
  if (typeof raw !== 'object' || raw === null) throw new Error('RDKit returned no descriptors');
  const record = raw as Record<string, unknown>;
  const out = {} as RDKitDescriptors;
  for (const key of KEYS) {
    const value = record[key];
    if (typeof value !== 'number') throw new Error(`RDKit descriptor ${key} is missing`);
    out[key] = value;
  }
  return out;
}
