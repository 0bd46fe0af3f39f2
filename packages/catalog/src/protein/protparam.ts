import {
  AVERAGE_RESIDUE_MASS,
  EXTINCTION_280,
  IKAI_COEFFICIENTS,
  KYTE_DOOLITTLE,
  WATER_AVERAGE_MASS,
  type AminoAcid,
} from './amino-acids';
import { dipeptideInstabilityWeight } from './instability-table';
import { chargeGroups, isoelectricPoint, netCharge, type ChargeGroups } from './isoelectric-point';
import type { PkaSet } from './pka-sets';

/** Property name → description; the names are the `get protein protparam` service's valid types. */
export const PROTEIN_PROPERTIES = {
  length: 'Number of residues',
  molecular_weight: 'Average molecular weight (Da): residue masses plus one water',
  isoelectric_point:
    'Theoretical pI: the pH of zero net charge (pKa set from the pka_set parameter)',
  net_charge_ph7: 'Net charge at pH 7.0 (Henderson-Hasselbalch, same pKa set)',
  gravy: 'Grand average of hydropathy (Kyte & Doolittle 1982)',
  aromaticity: 'Relative frequency of Phe + Trp + Tyr (Lobry & Gautier 1994)',
  instability_index:
    'Instability index (Guruprasad et al. 1990); above 40 predicts an unstable protein',
  aliphatic_index: 'Aliphatic index (Ikai 1980): relative volume of Ala, Val, Ile, Leu side chains',
  extinction_coefficient_reduced:
    'Molar extinction coefficient at 280 nm (M⁻¹ cm⁻¹), all Cys reduced (Pace et al. 1995)',
  extinction_coefficient_cystines:
    'Molar extinction coefficient at 280 nm (M⁻¹ cm⁻¹), all Cys pairs forming cystines (Pace et al. 1995)',
} as const;

export type ProteinProperty = keyof typeof PROTEIN_PROPERTIES;

export function isProteinProperty(name: string): name is ProteinProperty {
  return Object.prototype.hasOwnProperty.call(PROTEIN_PROPERTIES, name);
}

/** One valid sequence with its composition counted once for all properties. */
export class ProteinFacts {
  private readonly counts = new Map<AminoAcid, number>();
  private groups: ChargeGroups | undefined;

  constructor(
    readonly residues: readonly AminoAcid[],
    private readonly pka: PkaSet,
  ) {
    for (const aa of residues) this.counts.set(aa, this.count(aa) + 1);
  }

  count(aa: AminoAcid): number {
    return this.counts.get(aa) ?? 0;
  }

  fraction(aa: AminoAcid): number {
    return this.count(aa) / this.residues.length;
  }

  value(property: ProteinProperty): number {
    switch (property) {
      case 'length':
        return this.residues.length;
      case 'molecular_weight':
        return round(
          this.residues.reduce((m, aa) => m + AVERAGE_RESIDUE_MASS[aa], WATER_AVERAGE_MASS),
          2,
        );
      case 'isoelectric_point':
        return round(isoelectricPoint(this.chargeGroups()), 2);
      case 'net_charge_ph7':
        return round(netCharge(this.chargeGroups(), 7), 2);
      case 'gravy':
        return round(
          this.residues.reduce((s, aa) => s + KYTE_DOOLITTLE[aa], 0) / this.residues.length,
          3,
        );
      case 'aromaticity':
        return round(this.fraction('F') + this.fraction('W') + this.fraction('Y'), 4);
      case 'instability_index':
        return round(this.instabilityIndex(), 2);
      case 'aliphatic_index':
        // Ikai 1980: 100 × (x_Ala + a·x_Val + b·(x_Ile + x_Leu)), mole fractions.
        return round(
          100 *
            (this.fraction('A') +
              IKAI_COEFFICIENTS.V * this.fraction('V') +
              IKAI_COEFFICIENTS.IL * (this.fraction('I') + this.fraction('L'))),
          2,
        );
      case 'extinction_coefficient_reduced':
        return this.count('W') * EXTINCTION_280.W + this.count('Y') * EXTINCTION_280.Y;
      case 'extinction_coefficient_cystines':
        return (
          this.count('W') * EXTINCTION_280.W +
          this.count('Y') * EXTINCTION_280.Y +
          Math.floor(this.count('C') / 2) * EXTINCTION_280.cystine
        );
    }
  }

  private chargeGroups(): ChargeGroups {
    this.groups ??= chargeGroups(this.residues, this.pka);
    return this.groups;
  }

  /** Guruprasad 1990: II = (10 / L) × Σ DIWV(x[i], x[i+1]) over the L−1 dipeptides. */
  private instabilityIndex(): number {
    let sum = 0;
    for (let i = 0; i + 1 < this.residues.length; i++) {
      sum += dipeptideInstabilityWeight(this.residues[i]!, this.residues[i + 1]!);
    }
    return (10 / this.residues.length) * sum;
  }
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
