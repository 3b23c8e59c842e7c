import { sleep } from 'n8n-workflow';
import type { ChannelDeps, Clock } from '../../core/src';
import { createN8nTransport, type HttpRequestHelper } from './n8n-transport';

/** Waits with n8n-workflow's sleep (no timers of our own inside n8n). */
export const n8nClock: Clock = {
	now: () => Date.now(),
	sleep: (ms) => sleep(Math.max(0, ms)),
};

/** What every node hands to createChannel: n8n's HTTP helper as transport and n8n's sleep. */
export function n8nChannelDeps(helpers: HttpRequestHelper): ChannelDeps {
	return { transport: createN8nTransport(helpers), clock: n8nClock };
}
