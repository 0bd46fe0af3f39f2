/**
 * The starting population when a request names no seeds: small, common drug-like building
 * blocks and drugs of varied scaffolds, so that crossover has rings, chains and heteroatoms to
 * recombine. (Jensen 2019 started from ZINC samples; a built-in list keeps the model offline.)
 */
export const DEFAULT_SEEDS: readonly string[] = [
  'c1ccccc1',
  'Cc1ccccc1',
  'Oc1ccccc1',
  'Nc1ccccc1',
  'c1ccncc1',
  'c1ccc2ccccc2c1',
  'c1ccc2[nH]ccc2c1',
  'C1CCNCC1',
  'C1COCCN1',
  'C1CCCCC1',
  'CCO',
  'CC(=O)O',
  'CC(=O)Nc1ccc(O)cc1',
  'CC(=O)Oc1ccccc1C(=O)O',
  'CC(C)Cc1ccc(cc1)C(C)C(=O)O',
  'Cn1c(=O)c2c(ncn2C)n(C)c1=O',
  'CN1CCC[C@H]1c1cccnc1',
  'NC(=O)c1cccnc1',
  'O=C(O)c1ccccc1O',
  'c1ccc(cc1)C(=O)N',
  'Clc1ccc(cc1)C',
  'COc1ccccc1',
  'c1csc(n1)N',
  'c1cn[nH]c1',
];
