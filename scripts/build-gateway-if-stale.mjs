#!/usr/bin/env node
/**
 * `npm start` runs this first: it builds the core, the Nest module and the gateway only when their
 * sources changed since the last build (a hash of every source and build file, kept in
 * gateway/dist/.sources-hash). A fresh clone builds once (~30 s); later starts take a second or two.
 * `--force` always builds.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// WXNOTIFY_BUILD_ROOT: another checkout (the test of this script uses a small stand-in tree).
const root = process.env.WXNOTIFY_BUILD_ROOT || fileURLToPath(new URL('..', import.meta.url));
const inputs = ['core/src', 'nest-module/src', 'gateway/src', 'tsconfig.base.json', 'package-lock.json'];
for (const pkg of ['core', 'nest-module', 'gateway']) inputs.push(`${pkg}/package.json`, `${pkg}/tsconfig.json`, `${pkg}/tsconfig.build.json`);
const outputs = ['core/dist/index.js', 'nest-module/dist/index.js', 'gateway/dist/main.js', 'gateway/dist/cli/main.js'];
const stamp = join(root, 'gateway/dist/.sources-hash');

function files(path) {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => files(join(path, entry.name)));
}

function sourcesHash() {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap(files)) hash.update(`${relative(root, join(root, file))}\0`).update(readFileSync(join(root, file))).update('\0');
  return hash.digest('hex');
}

const hash = sourcesHash();
const built = outputs.every((file) => existsSync(join(root, file)));
const previous = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (!process.argv.includes('--force') && built && previous === hash) {
  console.log('wxnotify: the built gateway is up to date (sources unchanged since the last build), starting it.');
  process.exit(0);
}
console.log(built ? 'wxnotify: sources changed since the last build: building core, Nest module and gateway…' : 'wxnotify: first start: building core, Nest module and gateway (once, about 30 s)…');
const result = spawnSync('npm', ['run', 'build:gateway'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stamp, `${hash}\n`);
