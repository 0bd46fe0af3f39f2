import type { AminoAcid } from './amino-acids';
import type { PkaSet } from './pka-sets';

/** The ionisable groups of one chain, counted once so the charge curve is cheap to evaluate. */
export interface ChargeGroups {
  positive: number[];
  negative: number[];
}

export function chargeGroups(residues: readonly AminoAcid[], pka: PkaSet): ChargeGroups {
  const first = residues[0];
  const last = residues[residues.length - 1];
  if (first === undefined || last === undefined) return { positive: [], negative: [] };
  const positive = [pka.nTermByResidue[first] ?? pka.nTerm];
  const negative = [pka.cTermByResidue[last] ?? pka.cTerm];
  for (const aa of residues) {
    const pos = pka.positive[aa];
    if (pos !== undefined) positive.push(pos);
    const neg = pka.negative[aa];
    if (neg !== undefined) negative.push(neg);
  }
  return { positive, negative };
}

/** Net charge at a pH by Henderson-Hasselbalch over every ionisable group. */
export function netCharge(groups: ChargeGroups, pH: number): number {
  let charge = 0;
  for (const pk of groups.positive) charge += 1 / (1 + 10 ** (pH - pk));
  for (const pk of groups.negative) charge -= 1 / (1 + 10 ** (pk - pH));
  return charge;
}

/**
 * The pH where the net charge is zero, by bisection on [0, 14]: the charge falls strictly with pH,
 * so the root is unique. Stops when the bracket is narrower than `tolerance`.
 */
export function isoelectricPoint(groups: ChargeGroups, tolerance = 1e-4): number {
  let low = 0;
  let high = 14;
  while (high - low > tolerance) {
    const mid = (low + high) / 2;
    if (netCharge(groups, mid) > 0) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
