/**
 * Deterministic inputs for the model benches: 1,000 distinct drug-like SMILES built from
 * scaffolds and substituents with a seeded PRNG (no data set to download), and a protein.
 */

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Scaffolds with two attachment points, {a} and {b}, both branches, so a substituent always
 * bonds through its first atom; substituent rings use label 9, so they never close a scaffold
 * ring (labels 1 and 2).
 */
const SCAFFOLDS = [
  'c1({a})ccc({b})cc1',
  'c1({a})ccc({b})nc1',
  'c1({a})cc({b})ccn1',
  'C1({a})CCN({b})CC1',
  'c1({a})ccc2[nH]c({b})cc2c1',
  'c1({a})nc({b})cs1',
  'C(=O)({a})Nc1ccc({b})cc1',
  'c1({a})ccc(cc1)-c1ccc({b})cc1',
  'N1({a})CCN({b})CC1',
  'c1({a})ccc2ncc({b})cc2c1',
];

const SUBSTITUENTS = [
  'C',
  'CC',
  'CCC',
  'C(C)C',
  'O',
  'OC',
  'OCC',
  'N',
  'NC',
  'N(C)C',
  'F',
  'Cl',
  'Br',
  'C(F)(F)F',
  'C#N',
  'C(=O)O',
  'C(=O)OC',
  'C(=O)N',
  'C(=O)NC',
  'S(=O)(=O)N',
  'S(=O)(=O)C',
  'NC(=O)C',
  'OC(F)(F)F',
  'C9CC9',
  'C9CCOCC9',
  'c9ccccc9',
  'c9ccncc9',
  'CO',
  'CN',
  'CC(=O)O',
];

/** `n` distinct SMILES (n ≤ 9,000), the same for the same seed. */
export function smilesSet(n = 1000, seed = 42): string[] {
  const rand = prng(seed);
  const all: string[] = [];
  for (const s of SCAFFOLDS) {
    for (const a of SUBSTITUENTS) {
      for (const b of SUBSTITUENTS) all.push(s.replace('{a}', a).replace('{b}', b));
    }
  }
  // Fisher-Yates with the seeded PRNG, then the first n.
  for (let i = all.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, n);
}

/** Human hemoglobin subunit alpha (142 residues), for the protein model. */
export const HBA_HUMAN =
  'MVLSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHFDLSHGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKLRVDPVNFKLLSHCLLVTLAAHLPAEFTPAVHASLDKFLASVSTVLTSKYR';
