import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NotifyModuleOptions } from '@wxnotify/nestjs';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface WorkerMessage {
  event: 'ready' | 'active' | 'completed';
  jobId?: string;
}

/** One queue worker in its own Node process (tsx runs the TypeScript sources). */
export class WorkerProcess {
  readonly messages: WorkerMessage[] = [];
  private exited = false;

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m) => this.messages.push(m as WorkerMessage));
    child.on('exit', () => {
      this.exited = true;
    });
  }

  static async start(options: NotifyModuleOptions): Promise<WorkerProcess> {
    const script = path.join(here, '..', 'fixtures', 'queue-worker.mts');
    const child = fork(script, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        // Legacy decorators, as the package is compiled (tsx would otherwise use TC39 decorators).
        TSX_TSCONFIG_PATH: path.join(here, '..', 'fixtures', 'tsconfig.tsx.json'),
        WXNOTIFY_WORKER_OPTIONS: JSON.stringify(options),
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const worker = new WorkerProcess(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('worker did not start in 20 s')), 20_000);
      child.on('message', (m) => {
        if ((m as WorkerMessage).event === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code} before it was ready`));
      });
    });
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  activeJobs(): string[] {
    return this.messages.filter((m) => m.event === 'active').map((m) => String(m.jobId));
  }

  completedJobs(): string[] {
    return this.messages.filter((m) => m.event === 'completed').map((m) => String(m.jobId));
  }

  /** SIGKILL: no chance to finish or ack the current job. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}
