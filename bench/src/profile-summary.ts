/**
 * `node bench/dist/profile-summary.js <file.cpuprofile>…`: top functions by self time and self
 * time by origin (package), for reading a `node --cpu-prof` profile without DevTools.
 */
import { profileMarkdown, summarizeProfile } from './lib/profile';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/dist/profile-summary.js <file.cpuprofile>…');
  process.exit(2);
}
for (const file of files) {
  console.log(profileMarkdown(file, summarizeProfile(file, 30), 30).join('\n'));
}
