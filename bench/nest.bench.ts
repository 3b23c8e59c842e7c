/**
 * NestJS module: the @Notify interceptor's added latency per request (p50/p99 over 10,000
 * requests, with and without the module, against the fake WeCom) and queue throughput (jobs/s
 * through two worker processes on a private redis-server).
 *
 * The body runs in a child process (test/nest/fixtures/nest-bench.mts) with the nest-module
 * tsconfig, because Nest needs legacy decorators, which tsx only compiles with that tsconfig.
 * Sizes: NEST_BENCH_REQUESTS (default 10000), NEST_BENCH_JOBS (default 2000).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export async function run(): Promise<void> {
  const root = path.join(__dirname, '..');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/nest/fixtures/nest-bench.mts')], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, 'test/nest/fixtures/tsconfig.tsx.json') },
      stdio: 'inherit',
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nest bench exited with ${code}`))));
  });
}
