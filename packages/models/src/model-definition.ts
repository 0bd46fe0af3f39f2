import type { z } from 'zod';

/** One row of a property result; a subject the model cannot handle gets `result: null` and an error. */
export interface PropertyRow {
  subject: unknown;
  property: string;
  result: unknown;
  error?: string;
}

/** One generated record, e.g. `{ smiles, qed }`. */
export type GenerationRecord = Record<string, unknown>;

export interface PredictInput<P> {
  /** Property names (property services) or the generator name (generation). */
  property_type: string[];
  subjects: unknown[];
  /** Parsed with the model's `parameters` schema. */
  parameters: P;
  sample_size?: number;
}

export interface PredictContext {
  /**
   * Aborted on deadline or cancel; a model checks it between units of work. The abort arrives
   * as a message to the model's thread, so a model must yield to its event loop now and then
   * (e.g. `await` a resolved timer every few ms of work) to see it; one that never yields is
   * stopped by terminating its thread after a grace period, which also unloads it.
   */
  signal: AbortSignal;
  /** Reports progress (subjects done, generations done, …). Cheap to call often. */
  progress(done: number, total: number): void;
}

export interface LoadedModel<P = unknown> {
  predict(input: PredictInput<P>, ctx: PredictContext): Promise<PropertyRow[] | GenerationRecord[]>;
  /** Frees what `load` took; called on eviction and shutdown. */
  unload?(): Promise<void> | void;
}

interface ModelDefinitionBase<S extends z.ZodType> {
  /** Unique, stable id (also the key in stats), e.g. 'rdkit-descriptors'. */
  id: string;
  /** What clients send back verbatim, e.g. 'get molecule rdkit'. */
  service_name: string;
  description: string;
  help?: string;
  /**
   * Model parameters: a zod object whose key order is the order users type them in. Turned into
   * the definition's JSON-schema `parameters`, and used to reject bad values with a 422.
   */
  parameters: S;
  /** Estimated resident size once loaded, MB; replaced by a measured figure after load. */
  sizeMb: number;
  /** Whether the model needs a GPU (reported in the definition). @defaultValue false */
  gpu?: boolean;
  /** Loads weights/modules. Runs inside the model's own host thread. */
  load(): Promise<LoadedModel<z.output<S>>>;
}

export interface PropertyModelDefinition<
  S extends z.ZodType = z.ZodType,
> extends ModelDefinitionBase<S> {
  kind: 'property';
  service_type: 'get_molecule_property' | 'get_protein_property' | 'get_crystal_property';
  /** What a subject is, e.g. 'SMILES' or 'PROTEIN'. */
  subject: string;
  sub_category: string;
  /** Property name → description; the names are the service's `valid_types`. */
  properties: Record<string, string>;
}

export interface GeneratorModelDefinition<
  S extends z.ZodType = z.ZodType,
> extends ModelDefinitionBase<S> {
  kind: 'generation';
  service_type: 'generate_data';
  generator: {
    algorithm_name: string;
    algorithm_application: string;
    algorithm_type: 'conditional_generation' | 'prediction' | 'generation' | 'controlled_sampling';
    domain: string;
    versions: string[];
  };
  /** Generator name → description; the names are the service's `valid_types`. */
  properties: Record<string, string>;
  /** JSON schema of a generation target (the subjects), or null when none is taken. */
  target: Record<string, unknown> | null;
}

export type ModelDefinition<S extends z.ZodType = z.ZodType> =
  PropertyModelDefinition<S> | GeneratorModelDefinition<S>;

/** Identity with types: `export default defineModel({...})` in a model or plugin module. */
export function defineModel<S extends z.ZodType>(def: ModelDefinition<S>): ModelDefinition<S> {
  return def;
}
