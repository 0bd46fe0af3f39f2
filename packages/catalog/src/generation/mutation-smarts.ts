/**
 * The graph mutations of Jensen's graph-based GA (Chem. Sci. 10, 3567-3572, 2019, Fig. 2), as
 * reaction SMARTS applied to kekulised molecules. Each operation is one list of reactions; the GA
 * picks an operation, then one of its reactions, then one of the places it applies.
 */

/** Elements a mutation may introduce: the common elements of drug-like molecules. */
const SINGLE_BONDED = ['C', 'N', 'O', 'S', 'F', 'Cl', 'Br'] as const;
const CHAIN = ['C', 'N', 'O'] as const;
const MUTABLE = ['C', 'N', 'O', 'S', 'F', 'Cl', 'Br'] as const;

export const MUTATION_OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  // Put a new atom into an existing bond: A~B → A-X-B.
  insert_atom: CHAIN.map((x) => `[*:1]~[*:2]>>[*:1]-${x}-[*:2]`),
  // Raise or lower one bond order; raising needs a hydrogen on both ends.
  change_bond_order: [
    '[*;!H0:1]-[*;!H0:2]>>[*:1]=[*:2]',
    '[*;!H0:1]=;!@[*;!H0:2]>>[*:1]#[*:2]',
    '[*:1]=[*:2]>>[*:1]-[*:2]',
    '[*:1]#[*:2]>>[*:1]=[*:2]',
  ],
  // Open a ring by deleting one of its bonds; the molecule stays connected.
  delete_ring_bond: ['[*:1]@[*:2]>>([*:1].[*:2])'],
  // Close a five- or six-membered ring on an acyclic chain; bonds along the path keep their order.
  add_ring: [
    '[*;!r;!H0:1]~[*;!r:2]~[*;!r:3]~[*;!r:4]~[*;!r;!H0:5]>>[*:1]1~[*:2]~[*:3]~[*:4]~[*:5]-1',
    '[*;!r;!H0:1]~[*;!r:2]~[*;!r:3]~[*;!r:4]~[*;!r:5]~[*;!r;!H0:6]>>[*:1]1~[*:2]~[*:3]~[*:4]~[*:5]~[*:6]-1',
  ],
  // Remove an atom and reconnect its neighbours in a chain.
  delete_atom: [
    '[*:1]~[D1]>>[*:1]',
    '[*:1]~[D2]~[*:2]>>[*:1]-[*:2]',
    '[*:1]~[D3](~[*;!H0:2])~[*:3]>>[*:1]-[*:2]-[*:3]',
    '[*:1]~[D4](~[*;!H0:2])(~[*;!H0:3])~[*:4]>>[*:1]-[*:2]-[*:3]-[*:4]',
  ],
  // Swap an atom's element.
  change_atom: MUTABLE.flatMap((from) =>
    MUTABLE.filter((to) => to !== from).map((to) => `[${from}:1]>>[${to}:1]`),
  ),
  // Grow a new terminal atom by a single, double or triple bond.
  append_atom: [
    ...SINGLE_BONDED.map((x) => `[*;!H0:1]>>[*:1]-${x}`),
    ...CHAIN.map((x) => `[*;!H0;!H1:1]>>[*:1]=${x}`),
    ...['C', 'N'].map((x) => `[*;H3:1]>>[*:1]#${x}`),
  ],
};
