/**
 * Child-process and network helpers for the n8n host harness.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as net from 'net';

export const LOOPBACK = '127.0.0.1';

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, LOOPBACK, () => {
			const addr = srv.address();
			srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
		});
	});
}

/** 16-character alphanumeric id, the shape n8n uses for workflows and credentials. */
export function n8nId(): string {
	const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from(randomBytes(16), (b) => chars[b % chars.length]).join('');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function tail(text: string, lines = 40): string {
	return text.split('\n').slice(-lines).join('\n');
}

/* Child-process bookkeeping: every n8n process runs in its own process group so the task
 * runners it spawns die with it; anything still alive when this process exits is killed. */
export const liveChildren = new Set<ChildProcess>();

export function killGroup(child: ChildProcess, signal: NodeJS.Signals, evenIfExited = false): void {
	if (child.pid === undefined) return;
	if (!evenIfExited && (child.exitCode !== null || child.signalCode !== null)) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

/**
 * Starts a detached watchdog for a child's process group: once this (test) process is gone, it
 * SIGKILLs the group and removes `folder` (if given); it exits by itself when the group ends.
 * Needed because Jest sandboxes `process`, so exit/signal handlers inside a test file never fire.
 */
export function spawnReaper(child: ChildProcess, folder?: string): void {
	if (child.pid === undefined) return;
	const script = [
		'while kill -0 "$1" 2>/dev/null && kill -0 -- "-$2" 2>/dev/null; do sleep 1; done',
		'kill -0 "$1" 2>/dev/null && exit 0',
		'kill -KILL -- "-$2" 2>/dev/null',
		'[ -n "$3" ] && sleep 1 && rm -rf -- "$3"',
		'exit 0',
	].join('\n');
	const reaper = spawn('bash', ['-c', script, 'n8n-host-reaper', String(process.pid), String(child.pid), folder ?? ''], {
		detached: true,
		stdio: 'ignore',
	});
	reaper.on('error', () => undefined);
	reaper.unref();
}

function killAll(): void {
	for (const child of liveChildren) killGroup(child, 'SIGKILL', true);
}

process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	// outside Jest (plain node/tsx scripts): kill our n8n groups, which a Ctrl-C does not reach, then
	// re-raise the signal so the default behaviour (exit) still happens
	process.once(signal, () => {
		killAll();
		process.kill(process.pid, signal);
	});
}

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve(false), timeoutMs);
		child.once('exit', () => {
			clearTimeout(timer);
			resolve(true);
		});
	});
}

/** Waits (briefly) until the child's stdout/stderr are drained. */
export function streamsClosed(child: ChildProcess, timeoutMs = 2000): Promise<void> {
	const open = [child.stdout, child.stderr].filter((s) => s && !s.readableEnded && !s.destroyed);
	if (!open.length) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(resolve, timeoutMs);
		let left = open.length;
		for (const s of open)
			s!.once('close', () => {
				if (--left === 0) {
					clearTimeout(timer);
					resolve();
				}
			});
	});
}
