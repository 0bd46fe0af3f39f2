/**
 * The crossover of Jensen's graph-based GA (Chem. Sci. 10, 3567-3572, 2019): cut each parent in
 * two, then join a piece of one with the complementary piece of the other. Dummy atoms mark the
 * cut points; their isotope label says which cut they belong to.
 */

/** Non-ring crossover: cut one acyclic single bond; both pieces carry a [1*]. */
export const CUT_CHAIN = '[*:1]-;!@[*:2]>>[*:1]-[1*].[1*]-[*:2]';
export const JOIN_CHAIN = '[*:1]-[1*].[1*]-[*:2]>>[*:1]-[*:2]';

/**
 * Ring crossover: cut two bonds of a ring so it falls into an outer piece (with the rest of the
 * molecule) and an inner piece, each with a [1*] and a [2*]. Either two bonds a bond apart, or the
 * two ring bonds of a fusion atom. Product 0 is the outer piece, product 1 the inner one.
 */
export const CUT_RING = [
  '[*:1]@[*:2]@[*:3]@[*:4]>>([*:1]-[1*].[*:4]-[2*]).([1*]-[*:2]~[*:3]-[2*])',
  '[*:1]@[*;!D2:2]@[*:3]>>([*:1]-[1*].[*:3]-[2*]).([1*]-[*:2]-[2*])',
];
export const JOIN_RING =
  '([*:1]-[1*].[*:2]-[2*]).([1*]-[*:3].[2*]-[*:4])>>([*:1]-[*:3].[*:2]-[*:4])';
