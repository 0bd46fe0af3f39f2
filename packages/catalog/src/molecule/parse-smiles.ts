import type { Log } from '@rdkit/rdkit';

import type { RDKitModule, RDKitMol } from './rdkit-module';

export type ParsedSmiles = { ok: true; mol: RDKitMol } | { ok: false; error: string };

const captures = new WeakMap<RDKitModule, Log | null>();

/**
 * RDKit writes parse and sanitisation errors to stderr; a batch of 1,000 bad SMILES would flood
 * the worker's log. Capturing the thread's RDKit log instead turns the message into the row's
 * error. One capture per module instance; every parse clears it, so it cannot grow.
 */
function logOf(rdkit: RDKitModule): Log | null {
  let log = captures.get(rdkit);
  if (log === undefined) {
    log = rdkit.set_log_capture('rdApp.*');
    captures.set(rdkit, log);
  }
  return log;
}

/** RDKit's first message without its "[hh:mm:ss] " stamp, e.g. "unclosed ring for input: 'C1CC'". */
function firstMessage(buffer: string): string | undefined {
  const line = buffer
    .split('\n')
    .map((l) => l.replace(/^\[\d\d:\d\d:\d\d\]\s*/, '').trim())
    .find((l) => l.length > 0);
  return line?.replace(/^SMILES Parse Error:\s*/, '');
}

/**
 * Parses and sanitises one SMILES. The caller owns `mol` and must `delete()` it. Never throws for
 * bad input: anything that is not a non-empty SMILES string gives `{ ok: false, error }`.
 */
export function parseSmiles(rdkit: RDKitModule, subject: unknown): ParsedSmiles {
  if (typeof subject !== 'string') return { ok: false, error: 'subject is not a SMILES string' };
  const smiles = subject.trim();
  // get_mol also reads mol blocks and RDKit JSON; a SMILES service takes one line only.
  if (smiles.length === 0 || /[\r\n]/.test(smiles)) {
    return { ok: false, error: 'invalid SMILES: empty or more than one line' };
  }
  const log = logOf(rdkit);
  log?.clear_buffer();
  let mol: RDKitMol | null = null;
  try {
    mol = rdkit.get_mol(smiles);
  } catch {
    mol = null;
  }
  const reason = log ? firstMessage(log.get_buffer()) : undefined;
  log?.clear_buffer();
  if (mol === null || !mol.is_valid()) {
    mol?.delete();
    return { ok: false, error: reason ? `invalid SMILES: ${reason}` : 'invalid SMILES' };
  }
  if (mol.get_num_atoms() === 0) {
    mol.delete();
    return { ok: false, error: 'invalid SMILES: no atoms' };
  }
  return { ok: true, mol };
}
