/**
 * `npm run bench n8n-package`: what the n8n package costs n8n. Prints the packed and unpacked
 * size, the time a fresh Node process takes to require every node and credential file of the
 * package, and `n8n start` → /healthz/readiness with the package installed (real n8n 2.41.1).
 * Set WXNOTIFY_N8N_TARBALL to measure a given tarball instead of building this checkout.
 * Figures only; nothing here asserts on time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInstance, ensureInstalled, hostPaths } from '../test/n8n-host/harness';
import { buildAndPackWxnotify } from '../test/n8n-host/wxnotify-fixtures';

const STARTS = 3;
const REQUIRES = 7;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const full = path.join(dir, name);
    return sum + (statSync(full).isDirectory() ? dirBytes(full) : statSync(full).size);
  }, 0);
}

export async function run(): Promise<void> {
  ensureInstalled();
  const given = process.env.WXNOTIFY_N8N_TARBALL;
  const pack = given ? { tarball: given, dir: '' } : buildAndPackWxnotify();
  const unpacked = mkdtempSync(path.join(tmpdir(), 'wxnotify-unpacked-'));
  try {
    spawnSync('tar', ['-xzf', pack.tarball, '-C', unpacked, '--strip-components=1']);
    const jsFiles = spawnSync('find', [path.join(unpacked, 'dist'), '-name', '*.js'], { encoding: 'utf8' }).stdout.trim().split('\n');
    console.log(`tarball ${fmt(statSync(pack.tarball).size / 1024)} KiB, unpacked dist ${fmt(dirBytes(path.join(unpacked, 'dist')) / 1024)} KiB in ${jsFiles.length} .js files`);
    const loads = requireTimes(unpacked);
    const loadLine = `require every node and credential file (a fresh n8n Node each, median of ${REQUIRES}): ${fmt(median(loads.map((l) => l.wall)))} ms wall, ${fmt(median(loads.map((l) => l.cpu)))} ms CPU`;
    console.log(loadLine);

    const starts: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const n8n = await createInstance({ packageTarball: pack.tarball });
      try {
        await n8n.cli(['list:workflow']); // migrations first, so the timed start is a warm one
        const started = process.hrtime.bigint();
        await n8n.start();
        starts.push(Number(process.hrtime.bigint() - started) / 1e6);
      } finally {
        await n8n.dispose();
      }
    }
    console.log(`n8n start → readiness with the package (median of ${STARTS}): ${fmt(median(starts))} ms [${starts.map(fmt).join(', ')}]`);
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
    if (pack.dir) rmSync(pack.dir, { recursive: true, force: true });
  }
}

/** Each run in a new Node 24 process (n8n's), with n8n-workflow resolved from the n8n install. */
function requireTimes(packageDir: string): Array<{ wall: number; cpu: number }> {
  const script = `
    const pkg = require(${JSON.stringify(path.join(packageDir, 'package.json'))});
    require('n8n-workflow'); // n8n has it loaded already: only the package's own files are timed
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
      const mod = require(${JSON.stringify(packageDir)} + '/' + file);
      new (Object.values(mod)[0])();
    }
    const used = process.cpuUsage(cpu);
    console.log(JSON.stringify({ wall: Number(process.hrtime.bigint() - t) / 1e6, cpu: (used.user + used.system) / 1000 }));`;
  const paths = hostPaths();
  const node = paths.nodeBin;
  const { NODE_OPTIONS: _tsxHooks, ...env } = process.env; // tsx's loader would slow every require
  const times: Array<{ wall: number; cpu: number }> = [];
  for (let i = 0; i < REQUIRES; i++) {
    const out = spawnSync(node, ['-e', script], { encoding: 'utf8', env: { ...env, NODE_PATH: path.join(paths.n8nDir, 'node_modules') } });
    if (out.status !== 0) throw new Error(out.stderr);
    times.push(JSON.parse(out.stdout.trim()) as { wall: number; cpu: number });
  }
  return times;
}
