import {
  ADS_PARAMETERS,
  QED_MEAN_WEIGHTS,
  QED_PROPERTIES,
  type AdsParameters,
  type QedValues,
} from './qed-parameters';
import { QED_ACCEPTOR_SMARTS, QED_ALERT_SMARTS } from './qed-smarts';
import type { RDKitDescriptors } from './rdkit-descriptors';
import type { RDKitModule, RDKitMol } from './rdkit-module';

/** The asymmetric double sigmoid desirability of one property value (Bickerton et al. 2012, eq. 1). */
export function desirability(x: number, p: AdsParameters): number {
  const rise = 1 + Math.exp(-(x - p.c + p.d / 2) / p.e);
  const fall = 1 + Math.exp(-(x - p.c - p.d / 2) / p.f);
  return (p.a + (p.b / rise) * (1 - 1 / fall)) / p.dmax;
}

/** QED: the weighted geometric mean of the eight desirabilities (Bickerton et al. 2012, eq. 3). */
export function qedFromProperties(
  values: Readonly<QedValues>,
  weights: Readonly<QedValues> = QED_MEAN_WEIGHTS,
): number {
  let logSum = 0;
  let weightSum = 0;
  for (const name of QED_PROPERTIES) {
    logSum += weights[name] * Math.log(desirability(values[name], ADS_PARAMETERS[name]));
    weightSum += weights[name];
  }
  return Math.exp(logSum / weightSum);
}

/** QED with its SMARTS compiled once; `dispose()` frees the query molecules. */
export interface QedCalculator {
  properties(mol: RDKitMol, descriptors: RDKitDescriptors): QedValues;
  qed(mol: RDKitMol, descriptors: RDKitDescriptors): number;
  dispose(): void;
}

function compile(rdkit: RDKitModule, smarts: readonly string[]): RDKitMol[] {
  const queries: RDKitMol[] = [];
  for (const s of smarts) {
    const query = rdkit.get_qmol(s);
    if (query === null || !query.is_valid()) {
      query?.delete();
      queries.forEach((q) => q.delete());
      throw new Error(`RDKit cannot compile the QED SMARTS ${s}`);
    }
    queries.push(query);
  }
  return queries;
}

/** `get_substruct_matches` answers "{}" when nothing matches, else a JSON array of matches. */
function countMatches(mol: RDKitMol, query: RDKitMol): number {
  const json = mol.get_substruct_matches(query);
  if (json === '{}') return 0;
  const matches: unknown = JSON.parse(json);
  return Array.isArray(matches) ? matches.length : 0;
}

export function createQedCalculator(rdkit: RDKitModule): QedCalculator {
  const acceptors = compile(rdkit, QED_ACCEPTOR_SMARTS);
  let alerts: RDKitMol[];
  try {
    alerts = compile(rdkit, QED_ALERT_SMARTS);
  } catch (err) {
    acceptors.forEach((q) => q.delete());
    throw err;
  }

  const properties = (mol: RDKitMol, d: RDKitDescriptors): QedValues => ({
    MW: d.amw,
    ALOGP: d.CrippenClogP,
    HBA: acceptors.reduce((n, q) => n + countMatches(mol, q), 0),
    HBD: d.NumHBD,
    PSA: d.tpsa,
    ROTB: d.NumRotatableBonds,
    // The paper's AROM is the number of aromatic rings.
    AROM: d.NumAromaticRings,
    ALERTS: alerts.reduce((n, q) => n + (mol.get_substruct_match(q) === '{}' ? 0 : 1), 0),
  });

  return {
    properties,
    qed: (mol, d) => qedFromProperties(properties(mol, d)),
    dispose() {
      acceptors.forEach((q) => q.delete());
      alerts.forEach((q) => q.delete());
      acceptors.length = 0;
      alerts.length = 0;
    },
  };
}
