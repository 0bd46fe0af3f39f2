import { isAminoAcid, type AminoAcid } from './amino-acids';

export type ParsedSequence = { ok: true; residues: AminoAcid[] } | { ok: false; error: string };

/**
 * Reads a one-letter protein sequence: case-insensitive, whitespace ignored (pasted FASTA bodies
 * wrap lines). Anything but the 20 standard residues is an error naming the first offender.
 */
export function parseSequence(subject: unknown): ParsedSequence {
  if (typeof subject !== 'string')
    return { ok: false, error: 'subject is not a protein sequence string' };
  const letters = subject.replace(/\s+/g, '').toUpperCase();
  if (letters.length === 0) return { ok: false, error: 'empty protein sequence' };
  const residues: AminoAcid[] = [];
  for (const [i, letter] of [...letters].entries()) {
    if (!isAminoAcid(letter)) {
      return {
        ok: false,
        error: `invalid residue "${letter}" at position ${i + 1}: only the 20 standard one-letter codes are accepted`,
      };
    }
    residues.push(letter);
  }
  return { ok: true, residues };
}
