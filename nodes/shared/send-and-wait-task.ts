import { randomBytes } from 'node:crypto';

/**
 * Native card buttons resume a waiting execution through the WeCom Trigger: the card's task_id
 * carries what the Trigger needs to call the execution's signed resume URL, and nothing else.
 *
 *   n8nsw@<executionId>@<nodeId>@<signature, base64url>@<random>
 *
 * The signature is n8n's own HMAC of `<waiting path>/<executionId>/<nodeId>?via=wecom` (from
 * getSignedResumeUrl), so n8n still checks it; only WeCom and this n8n see task ids (callbacks are
 * encrypted), and a link's signature (other query) cannot be turned into this one.
 * WeCom's task_id rules: [0-9A-Za-z_-@], ≤ 128 bytes.
 */
export const SEND_AND_WAIT_TASK_PREFIX = 'n8nsw';
export const VIA_WECOM = { via: 'wecom' } as const;

export interface SendAndWaitTask {
	executionId: string;
	nodeId: string;
	/** n8n's hex signature. */
	signature: string;
}

const SAFE = /^[0-9A-Za-z_-]+$/;

/** The task id for the signed resume URL of this execution (undefined when it cannot fit WeCom's rules). */
export function sendAndWaitTaskId(signedResumeUrl: string): string | undefined {
	const url = new URL(signedResumeUrl);
	const signature = url.searchParams.get('signature') ?? '';
	const [executionId, nodeId] = url.pathname.split('/').slice(-2).map(decodeURIComponent);
	if (!/^[0-9a-f]{64}$/.test(signature) || !SAFE.test(executionId ?? '') || !SAFE.test(nodeId ?? '')) return undefined;
	const id = [SEND_AND_WAIT_TASK_PREFIX, executionId, nodeId, Buffer.from(signature, 'hex').toString('base64url'), randomBytes(4).toString('hex')].join('@');
	return id.length <= 128 ? id : undefined;
}

export function parseSendAndWaitTaskId(taskId: string): SendAndWaitTask | undefined {
	const parts = taskId.split('@');
	if (parts.length !== 5 || parts[0] !== SEND_AND_WAIT_TASK_PREFIX) return undefined;
	const [, executionId, nodeId, signature] = parts;
	if (!SAFE.test(executionId) || !SAFE.test(nodeId) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return undefined;
	return { executionId, nodeId, signature: Buffer.from(signature, 'base64url').toString('hex') };
}

/** `<waitingBase>/<executionId>/<nodeId>?via=wecom&signature=…`, the URL getSignedResumeUrl(VIA_WECOM) returned. */
export function resumeUrlOf(task: SendAndWaitTask, waitingBaseUrl: string): string {
	const url = new URL(`${waitingBaseUrl.replace(/\/+$/, '')}/${task.executionId}/${encodeURIComponent(task.nodeId)}`);
	url.searchParams.set('via', VIA_WECOM.via);
	url.searchParams.set('signature', task.signature);
	return url.toString();
}

/** n8n's default waiting-webhook base next to a webhook URL (`…/webhook[-test]/<id>/<path>` → `…/webhook-waiting`). */
export function waitingBaseNextTo(webhookUrl: string): string | undefined {
	const match = /^(.*)\/webhook(?:-test)?\/[^/]+\/.*$/.exec(webhookUrl);
	return match ? `${match[1]}/webhook-waiting` : undefined;
}
