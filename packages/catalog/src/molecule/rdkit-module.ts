import initRDKitModule, { type MainModule, type Mol } from '@rdkit/rdkit';

/** The RDKit MinimalLib (wasm) module: the only chemistry engine of the built-in models. */
export type RDKitModule = MainModule;
export type RDKitMol = Mol;

let shared: Promise<RDKitModule> | undefined;

/**
 * The thread's one RDKit instance, initialised on first call. Each model host is its own
 * worker_thread, so every thread pays the wasm start-up once however many models it loads, and
 * merely importing a model module (as the api does for the definitions) loads no wasm: the
 * import only defines the factory.
 */
export function loadRDKit(): Promise<RDKitModule> {
  shared ??= initRDKitModule().catch((err: unknown) => {
    // A failed start must not poison the thread: the next load tries again.
    shared = undefined;
    throw err;
  });
  return shared;
}
