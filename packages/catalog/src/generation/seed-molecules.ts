import { parseSmiles } from '../molecule/parse-smiles';
import type { RDKitModule } from '../molecule/rdkit-module';

/**
 * The SMILES a generation request seeds with. Subjects may be SMILES strings, arrays of them, or
 * objects with `smiles` or `seeds` (a string or an array): the OpenAD client sends generation
 * targets as objects or lists.
 */
export function seedTexts(subjects: readonly unknown[]): string[] {
  const out: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      visit(record.smiles);
      visit(record.seeds);
    }
  };
  subjects.forEach(visit);
  return out;
}

/** Canonical SMILES of one seed; an invalid or multi-fragment seed fails the request, named. */
export function canonicalSeed(rdkit: RDKitModule, text: string): string {
  const parsed = parseSmiles(rdkit, text);
  if (!parsed.ok) throw new Error(`seed "${text}": ${parsed.error}`);
  try {
    const smiles = parsed.mol.get_smiles();
    if (smiles.includes('.')) throw new Error(`seed "${text}" has more than one fragment`);
    return smiles;
  } finally {
    parsed.mol.delete();
  }
}
