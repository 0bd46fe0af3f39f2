import type { Reaction } from '@rdkit/rdkit';

import type { RDKitModule, RDKitMol } from '../molecule/rdkit-module';

export type RDKitReaction = Reaction;

/** One product molecule of a reaction outcome, as RDKit wrote it (not yet sanitised). */
export interface Product {
  smiles: string;
  atoms: number;
}

/** Compiles reaction SMARTS once (in `load()`); frees what it made if any fails. */
export function compileReactions(rdkit: RDKitModule, smarts: readonly string[]): RDKitReaction[] {
  const out: RDKitReaction[] = [];
  for (const s of smarts) {
    const rxn = rdkit.get_rxn(s);
    if (rxn === null) {
      out.forEach((r) => r.delete());
      throw new Error(`RDKit cannot compile the reaction SMARTS ${s}`);
    }
    out.push(rxn);
  }
  return out;
}

/**
 * Runs a reaction on the reactants (one per reactant template) and returns every outcome's
 * products. RDKit's wasm objects (the list, each product) are freed before returning.
 */
export function runReaction(
  rdkit: RDKitModule,
  rxn: RDKitReaction,
  reactants: readonly RDKitMol[],
  maxProducts: number,
): Product[][] {
  const list = new rdkit.MolList();
  try {
    for (const m of reactants) list.append(m);
    const outcomes = rxn.run_reactants(list, maxProducts);
    try {
      const result: Product[][] = [];
      for (let i = 0; i < outcomes.size(); i++) {
        const products = outcomes.get(i);
        if (!products) continue;
        const set: Product[] = [];
        for (let j = 0; j < products.size(); j++) {
          const p = products.at(j);
          if (!p) continue;
          try {
            set.push({ smiles: p.get_smiles(), atoms: p.get_num_atoms() });
          } catch {
            // An unwritable product is simply not a candidate.
          } finally {
            p.delete();
          }
        }
        products.delete();
        result.push(set);
      }
      return result;
    } finally {
      outcomes.delete();
    }
  } catch {
    // RDKit can throw from inside the wasm on odd matches; no product then.
    return [];
  } finally {
    list.delete();
  }
}
