/**
 * NestJS NotifyService.ask: time from a member's click to the card update WeCom accepted, through a
 * real Nest app (callback route → question taken → update_template_card), with the memory store and
 * with the Redis store of queue mode (private redis-server). The body runs in a child process
 * (test/nest/fixtures/ask-bench.mts) with the nest-module tsconfig for Nest's legacy decorators.
 * Size: ASK_BENCH_QUESTIONS (default 200).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export async function run(): Promise<void> {
  const root = path.join(__dirname, '..');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/nest/fixtures/ask-bench.mts')], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, 'test/nest/fixtures/tsconfig.tsx.json') },
      stdio: 'inherit',
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ask bench exited with ${code}`))));
  });
}
