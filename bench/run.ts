/**
 * `npm run bench`: runs every bench/*.bench.ts in turn against the local fake upstreams (with the
 * built core in core/dist, the code users run; `prebench` builds it) and
 * prints figures. Benchmarks never run inside `npm test` and assert nothing about time.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

async function main(): Promise<void> {
  const only = process.argv[2];
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => !only || f.includes(only))
    .sort();
  for (const file of files) {
    console.log(`\n=== ${file} ===`);
    const mod = (await import(path.join(__dirname, file))) as { run?: () => Promise<void> };
    if (typeof mod.run !== 'function') throw new Error(`${file} must export run()`);
    await mod.run();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
