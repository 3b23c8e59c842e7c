// Run after `npm install <pkg>`: drops optionalDependencies from package-lock.json entries whose
// package is not in the lock. Our registry does not serve some other-platform builds (e.g. of
// unrs-resolver, msgpackr-extract), so npm never records them, and `npm ci` then refuses the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const present = new Set(Object.keys(lock.packages).filter((k) => k.includes('node_modules/')).map((k) => k.split('node_modules/').pop()));
let dropped = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  if (!entry.optionalDependencies) continue;
  const keep = Object.fromEntries(Object.entries(entry.optionalDependencies).filter(([name]) => present.has(name)));
  const removed = Object.keys(entry.optionalDependencies).length - Object.keys(keep).length;
  if (removed === 0) continue;
  dropped += removed;
  console.log(`${key}: dropped ${removed} optional dependencies the registry does not serve`);
  if (Object.keys(keep).length) entry.optionalDependencies = keep;
  else delete entry.optionalDependencies;
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(dropped ? `pruned ${dropped} entries` : 'lock file already clean');
