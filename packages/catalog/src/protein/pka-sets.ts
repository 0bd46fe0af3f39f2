import type { AminoAcid } from './amino-acids';

/** A set of pKa values for the ionisable groups of a polypeptide. */
export interface PkaSet {
  /** Free α-amino group; `nTermByResidue` overrides it for some N-terminal residues. */
  nTerm: number;
  nTermByResidue: Partial<Record<AminoAcid, number>>;
  /** Free α-carboxyl group; `cTermByResidue` overrides it for some C-terminal residues. */
  cTerm: number;
  cTermByResidue: Partial<Record<AminoAcid, number>>;
  /** Side chains that carry a positive charge when protonated. */
  positive: Partial<Record<AminoAcid, number>>;
  /** Side chains that carry a negative charge when deprotonated. */
  negative: Partial<Record<AminoAcid, number>>;
}

/**
 * Bjellqvist et al., Electrophoresis 14, 1023-1031 (1993) and 15, 529-539 (1994): the values of
 * the ExPASy ProtParam and Compute pI/Mw tools, with terminal pKa depending on the end residue.
 */
export const BJELLQVIST_PKA: PkaSet = {
  nTerm: 7.5,
  nTermByResidue: { A: 7.59, M: 7.0, S: 6.93, P: 8.36, T: 6.82, V: 7.44, E: 7.7 },
  cTerm: 3.55,
  cTermByResidue: { D: 4.55, E: 4.75 },
  positive: { K: 10.0, R: 12.0, H: 5.98 },
  negative: { D: 4.05, E: 4.45, C: 9.0, Y: 10.0 },
};

/** The EMBOSS `iep`/`pepstats` values (EMBOSS data file Epk.dat, releases 5.0 to 6.6). */
export const EMBOSS_PKA: PkaSet = {
  nTerm: 8.6,
  nTermByResidue: {},
  cTerm: 3.6,
  cTermByResidue: {},
  positive: { K: 10.8, R: 12.5, H: 6.5 },
  negative: { D: 3.9, E: 4.1, C: 8.5, Y: 10.1 },
};

export const PKA_SETS = { expasy: BJELLQVIST_PKA, emboss: EMBOSS_PKA } as const;
export type PkaSetName = keyof typeof PKA_SETS;
