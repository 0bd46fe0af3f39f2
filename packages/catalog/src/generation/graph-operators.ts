import type { RDKitModule, RDKitMol } from '../molecule/rdkit-module';
import type { ChildJudge } from './child-judge';
import { CUT_CHAIN, CUT_RING, JOIN_CHAIN, JOIN_RING } from './crossover-smarts';
import { MUTATION_OPERATIONS } from './mutation-smarts';
import type { Random } from './prng';
import { compileReactions, runReaction, type Product, type RDKitReaction } from './reactions';

/** How many operations a mutation or crossover tries before it gives up. */
const MAX_TRIES = 10;
/** Reaction outcomes considered per application; plenty for molecules under 50 atoms. */
const MAX_PRODUCTS = 500;
/**
 * Cut outcomes kept, by reaction and parent. Building a reaction's products is what costs (about
 * 0.25 ms each in RDKit.js), and parents recur across mating pools and generations. The outcomes
 * depend on the SMILES alone, so the cache never changes what a seeded run produces.
 */
const CUT_CACHE_ENTRIES = 4096;

/**
 * Jensen's graph-based GA operators (Chem. Sci. 2019) on RDKit reactions, compiled once. Each
 * operator works on a kekulised copy of its parents (reaction SMARTS see explicit single and
 * double bonds, not aromatic ones) and returns a child judged valid, or null.
 */
export class GraphOperators {
  private readonly mutations: RDKitReaction[][] = [];
  private readonly cutChain: RDKitReaction;
  private readonly joinChain: RDKitReaction;
  private readonly cutRing: RDKitReaction[];
  private readonly joinRing: RDKitReaction;
  private readonly owned: RDKitReaction[] = [];
  private readonly cutCache = new Map<string, Product[][]>();

  constructor(
    private readonly rdkit: RDKitModule,
    private readonly judge: ChildJudge,
  ) {
    try {
      for (const smarts of Object.values(MUTATION_OPERATIONS)) {
        this.mutations.push(this.compile(smarts));
      }
      this.cutChain = this.compileOne(CUT_CHAIN);
      this.joinChain = this.compileOne(JOIN_CHAIN);
      this.joinRing = this.compileOne(JOIN_RING);
      this.cutRing = this.compile(CUT_RING);
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  /** A random graph mutation of `smiles` (one of seven operations, each equally likely). */
  mutate(smiles: string, random: Random): string | null {
    return this.withKekule(smiles, (mol) => {
      for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
        for (const rxn of random.shuffled(random.pick(this.mutations))) {
          const outcomes = runReaction(this.rdkit, rxn, [mol], MAX_PRODUCTS);
          for (const products of random.shuffled(outcomes)) {
            const child = products.length === 1 ? this.judge.canonical(products[0]!.smiles) : null;
            if (child !== null && child !== smiles) return child;
          }
        }
      }
      return null;
    });
  }

  /**
   * Cuts both parents and joins a piece of each: across a ring (two cuts) or an acyclic bond
   * (one cut), each half the time as in Jensen (2019), falling back to the other kind when the
   * parents cannot be cut that way.
   */
  crossover(a: string, b: string, random: Random): string | null {
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const ringFirst = random.next() < 0.5;
      const child =
        (ringFirst ? this.ringCrossover(a, b, random) : this.chainCrossover(a, b, random)) ??
        (ringFirst ? this.chainCrossover(a, b, random) : this.ringCrossover(a, b, random));
      if (child !== null) return child;
    }
    return null;
  }

  dispose(): void {
    this.owned.forEach((r) => r.delete());
    this.owned.length = 0;
    this.cutCache.clear();
  }

  /** Every way `rxn` cuts `smiles` into exactly two pieces (that `keep` accepts), memoised. */
  private cuts(
    key: string,
    rxn: RDKitReaction,
    smiles: string,
    keep: (pieces: Product[], atoms: number) => boolean,
  ): Product[][] {
    const cacheKey = `${key} ${smiles}`;
    let cuts = this.cutCache.get(cacheKey);
    if (cuts === undefined) {
      cuts = this.withKekule(smiles, (mol) => {
        const atoms = mol.get_num_atoms();
        return runReaction(this.rdkit, rxn, [mol], MAX_PRODUCTS).filter(
          (pieces) => pieces.length === 2 && keep(pieces, atoms),
        );
      });
      if (this.cutCache.size >= CUT_CACHE_ENTRIES) this.cutCache.clear();
      this.cutCache.set(cacheKey, cuts);
    }
    return cuts;
  }

  private chainCrossover(a: string, b: string, random: Random): string | null {
    const piece = (smiles: string): Product | undefined => {
      const cuts = this.cuts('chain', this.cutChain, smiles, () => true);
      return cuts.length > 0 ? random.pick(random.pick(cuts)) : undefined;
    };
    const pa = piece(a);
    const pb = piece(b);
    if (!pa || !pb) return null;
    return this.join(this.joinChain, [pa.smiles, pb.smiles], random);
  }

  private ringCrossover(a: string, b: string, random: Random): string | null {
    // A cut outcome is [outer, inner]; keep only cuts that really split the molecule in two.
    const cut = (smiles: string): Product[] | undefined => {
      const index = random.int(this.cutRing.length);
      const cuts = this.cuts(`ring${index}`, this.cutRing[index]!, smiles, (p, atoms) => {
        // Two cuts add four dummy atoms; more means the ring was fused and nothing fell apart.
        return p[0]!.atoms + p[1]!.atoms === atoms + 4;
      });
      return cuts.length > 0 ? random.pick(cuts) : undefined;
    };
    const ca = cut(a);
    const cb = cut(b);
    if (!ca || !cb) return null;
    const [outer, inner] = random.next() < 0.5 ? [ca[0]!, cb[1]!] : [cb[0]!, ca[1]!];
    return this.join(this.joinRing, [outer.smiles, inner.smiles], random);
  }

  private join(rxn: RDKitReaction, pieces: readonly string[], random: Random): string | null {
    const mols: RDKitMol[] = [];
    try {
      for (const s of pieces) {
        const mol = this.rdkit.get_mol(s);
        if (mol === null) return null;
        mols.push(mol);
        mol.convert_to_kekule_form();
      }
      for (const products of random.shuffled(runReaction(this.rdkit, rxn, mols, MAX_PRODUCTS))) {
        const child = products.length === 1 ? this.judge.canonical(products[0]!.smiles) : null;
        if (child !== null) return child;
      }
      return null;
    } finally {
      mols.forEach((m) => m.delete());
    }
  }

  private withKekule<T>(smiles: string, use: (mol: RDKitMol) => T): T {
    const mol = this.rdkit.get_mol(smiles);
    if (mol === null) throw new Error(`GA member ${smiles} no longer parses`);
    try {
      mol.convert_to_kekule_form();
      return use(mol);
    } finally {
      mol.delete();
    }
  }

  private compileOne(smarts: string): RDKitReaction {
    const [rxn] = this.compile([smarts]);
    if (!rxn) throw new Error(`RDKit cannot compile the reaction SMARTS ${smarts}`);
    return rxn;
  }

  private compile(smarts: readonly string[]): RDKitReaction[] {
    const rxns = compileReactions(this.rdkit, smarts);
    this.owned.push(...rxns);
    return rxns;
  }
}
