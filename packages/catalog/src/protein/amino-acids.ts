/** The 20 standard amino acids, one-letter codes; the only residues the protein model accepts. */
export const AMINO_ACIDS = 'ARNDCQEGHILKMFPSTWYV';
export type AminoAcid =
  | 'A'
  | 'R'
  | 'N'
  | 'D'
  | 'C'
  | 'Q'
  | 'E'
  | 'G'
  | 'H'
  | 'I'
  | 'L'
  | 'K'
  | 'M'
  | 'F'
  | 'P'
  | 'S'
  | 'T'
  | 'W'
  | 'Y'
  | 'V';

export function isAminoAcid(letter: string): letter is AminoAcid {
  return letter.length === 1 && AMINO_ACIDS.includes(letter);
}

/**
 * Average residue masses (Da) of amino acids in a chain, i.e. the free amino acid less one water:
 * the average-isotopic-composition values of the ExPASy ProtParam / Compute pI/Mw tools.
 */
export const AVERAGE_RESIDUE_MASS: Readonly<Record<AminoAcid, number>> = {
  A: 71.0788,
  R: 156.1875,
  N: 114.1038,
  D: 115.0886,
  C: 103.1388,
  Q: 128.1307,
  E: 129.1155,
  G: 57.0519,
  H: 137.1411,
  I: 113.1594,
  L: 113.1594,
  K: 128.1741,
  M: 131.1926,
  F: 147.1766,
  P: 97.1167,
  S: 87.0782,
  T: 101.1051,
  W: 186.2132,
  Y: 163.176,
  V: 99.1326,
};

/** Average mass of water (Da): added once for the free termini of the chain. */
export const WATER_AVERAGE_MASS = 18.01524;

/** Hydropathy index of Kyte & Doolittle, J. Mol. Biol. 157, 105-132 (1982), Table 2. */
export const KYTE_DOOLITTLE: Readonly<Record<AminoAcid, number>> = {
  A: 1.8,
  R: -4.5,
  N: -3.5,
  D: -3.5,
  C: 2.5,
  Q: -3.5,
  E: -3.5,
  G: -0.4,
  H: -3.2,
  I: 4.5,
  L: 3.8,
  K: -3.9,
  M: 1.9,
  F: 2.8,
  P: -1.6,
  S: -0.8,
  T: -0.7,
  W: -0.9,
  Y: -1.3,
  V: 4.2,
};

/**
 * Molar extinction coefficients at 280 nm in water (M⁻¹ cm⁻¹): Pace et al., Protein Sci. 4,
 * 2411-2423 (1995). Cystine counts per disulfide bond (a pair of Cys).
 */
export const EXTINCTION_280 = { W: 5500, Y: 1490, cystine: 125 } as const;

/** Relative volumes of the aliphatic side chains against alanine: Ikai, J. Biochem. 88, 1895 (1980). */
export const IKAI_COEFFICIENTS = { V: 2.9, IL: 3.9 } as const;
