import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Path of the compiled built-ins module, which model host threads `require`. Threads need
 * JavaScript: from the sources (under jest) this points at the build output of this package.
 */
export function builtinModulePath(): string {
  const here = join(__dirname, 'builtins.js');
  return existsSync(here) ? here : join(__dirname, '..', 'dist', 'builtins.js');
}
