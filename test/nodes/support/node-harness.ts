/**
 * Runs n8n nodes in-process with n8n-core's real execution contexts (ExecuteContext,
 * WebhookContext, HookContext, LoadOptionsContext). HTTP goes through n8n's real request helper,
 * so nodes talk to the fake upstreams over loopback exactly as inside n8n.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { ExecuteContext, HookContext, LoadOptionsContext, WebhookContext } from 'n8n-core';
import {
	createRunExecutionData,
	NodeHelpers,
	Workflow,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IWebhookData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

export type Credentials = Record<string, IDataObject>;

export interface NodeRunOptions {
	parameters: IDataObject;
	credentials?: Credentials;
	/** Input items (json only, or full items with binary). Default: one empty item. */
	items?: Array<IDataObject | INodeExecutionData>;
	continueOnFail?: boolean;
	staticData?: IDataObject;
	/** Base of getNodeWebhookUrl() (lifecycle methods register it upstream). */
	webhookBaseUrl?: string;
	/** The node's typeVersion (default: the newest the description lists). */
	typeVersion?: number;
}

const NODE_NAME = 'Node Under Test';

function nodeTypesFor(nodeType: INodeType): INodeTypes {
	return {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
}

function buildNode(nodeType: INodeType, opts: NodeRunOptions): INode {
	const description = nodeType.description;
	const node: INode = {
		id: 'node-under-test',
		name: NODE_NAME,
		type: `n8n-nodes-wxnotify.${description.name}`,
		typeVersion: opts.typeVersion ?? (Array.isArray(description.version) ? description.version[description.version.length - 1] : description.version),
		position: [0, 0],
		parameters: {},
		webhookId: 'test-webhook-id',
		credentials: Object.fromEntries(Object.keys(opts.credentials ?? {}).map((type) => [type, { id: `${type}-id`, name: `${type} credential` }])),
		...(opts.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	// Apply defaults the way n8n does when a workflow is saved.
	node.parameters = NodeHelpers.getNodeParameters(description.properties, opts.parameters as never, true, false, node, description) ?? {};
	return node;
}

function buildWorkflow(nodeType: INodeType, node: INode, staticData?: IDataObject): Workflow {
	return new Workflow({
		id: 'test-workflow',
		name: 'test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: nodeTypesFor(nodeType),
		staticData: staticData ?? {},
	});
}

function additionalData(credentials: Credentials, extra: Partial<IWorkflowExecuteAdditionalData> = {}): IWorkflowExecuteAdditionalData {
	const credentialsHelper = {
		getDecrypted: async (_additional: unknown, nodeCredentials: { id: string }, type: string) => {
			const data = credentials[type];
			if (!data) throw new Error(`no test credential of type ${type} (asked for ${nodeCredentials?.id})`);
			return structuredClone(data);
		},
		getParentTypes: () => [],
		isCredentialUsableByNode: () => true,
		authenticate: async (_creds: unknown, _type: string, requestOptions: unknown) => requestOptions,
		preAuthentication: async () => undefined,
		getCredentials: async () => {
			throw new Error('not supported in tests');
		},
		updateCredentials: async () => undefined,
		updateCredentialsOauthTokenData: async () => undefined,
		getCredentialsProperties: () => [],
	};
	return {
		credentialsHelper,
		executionId: 'test-execution',
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		variables: {},
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'test-user',
		setExecutionStatus: () => undefined,
		sendDataToUI: () => undefined,
		logAiEvent: () => undefined,
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

function toItems(items: NodeRunOptions['items']): INodeExecutionData[] {
	return (items ?? [{}]).map((item) => ('json' in item && typeof item.json === 'object' ? (item as INodeExecutionData) : { json: item as IDataObject }));
}

/** Runs execute() of an action node; returns its first output. Throws what the node throws. */
export async function executeNode(nodeType: INodeType, opts: NodeRunOptions): Promise<INodeExecutionData[]> {
	const node = buildNode(nodeType, opts);
	const workflow = buildWorkflow(nodeType, node, opts.staticData);
	const items = toItems(opts.items);
	const inputData = { main: [items] };
	const executeData = { node, data: inputData, source: { main: [{ previousNode: 'Start' }] } };
	const ctx = new ExecuteContext(
		workflow,
		node,
		additionalData(opts.credentials ?? {}),
		'manual',
		createRunExecutionData(),
		0,
		items,
		inputData,
		executeData,
		[],
	);
	const result = await nodeType.execute!.call(ctx);
	return (result as INodeExecutionData[][])[0] ?? [];
}

/** Runs a loadOptions or listSearch method. */
export async function loadOptions(nodeType: INodeType, opts: NodeRunOptions & { kind: 'loadOptions' | 'listSearch'; method: string; filter?: string }) {
	const node = buildNode(nodeType, opts);
	const workflow = buildWorkflow(nodeType, node);
	const ctx = new LoadOptionsContext(workflow, node, additionalData(opts.credentials ?? {}, { currentNodeParameters: node.parameters }), 'parameters');
	const fn = (nodeType.methods?.[opts.kind] as Record<string, (...args: unknown[]) => unknown>)?.[opts.method];
	if (!fn) throw new Error(`no ${opts.kind} method ${opts.method}`);
	return opts.kind === 'listSearch' ? await fn.call(ctx, opts.filter) : await fn.call(ctx);
}

/** Runs a webhook lifecycle method (checkExists/create/delete). */
export async function runWebhookMethod(nodeType: INodeType, opts: NodeRunOptions & { method: 'checkExists' | 'create' | 'delete'; group?: string }) {
	const node = buildNode(nodeType, opts);
	const workflow = buildWorkflow(nodeType, node, opts.staticData);
	const webhookData = webhookDataFor(node, nodeType, 'default');
	const extra = opts.webhookBaseUrl ? { webhookBaseUrl: opts.webhookBaseUrl } : {};
	const ctx = new HookContext(workflow, node, additionalData(opts.credentials ?? {}, extra), 'trigger', 'activate', webhookData);
	const methods = (nodeType.webhookMethods as Record<string, Record<string, (this: unknown) => Promise<boolean>>>)[opts.group ?? 'default'];
	return await methods[opts.method].call(ctx);
}

function webhookDataFor(node: INode, nodeType: INodeType, name: string): IWebhookData {
	const description = nodeType.description.webhooks?.find((w) => w.name === name) ?? nodeType.description.webhooks?.[0];
	return {
		httpMethod: (description?.httpMethod as IWebhookData['httpMethod']) ?? 'POST',
		node: node.name,
		path: `${node.webhookId}/${String(description?.path ?? '')}`,
		webhookDescription: description!,
		workflowId: 'test-workflow',
		workflowExecuteAdditionalData: undefined as never,
		webhookId: node.webhookId,
	} as IWebhookData;
}

export interface WebhookReply {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: string;
	/** What webhook() returned (workflowData → the items that would start an execution). */
	returned: { workflowData?: INodeExecutionData[][]; webhookResponse?: unknown; noWebhookResponse?: boolean } | undefined;
}

/**
 * A real HTTP server that hands each request to the trigger's webhook() with a WebhookContext, and
 * finishes the response the way n8n does (webhookResponse → body; workflowData with
 * responseMode onReceived → responseData or "firstEntryJson"; noWebhookResponse → node wrote it).
 */
export class WebhookHarness {
	private server?: http.Server;
	url = '';
	last?: WebhookReply;

	constructor(
		private readonly nodeType: INodeType,
		private readonly opts: NodeRunOptions,
	) {}

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook`;
		return this;
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	/**
	 * Sends a request and returns the reply plus what webhook() returned. `subPath` is appended to the
	 * URL; its segments fill the `:name` segments of the node's (evaluated) webhook path, as n8n does.
	 */
	async request(
		method: string,
		query: Record<string, string>,
		body?: string,
		headers: Record<string, string> = {},
		webhookName = 'default',
		subPath = '',
	): Promise<WebhookReply> {
		const url = new URL(subPath ? `${this.url}/${subPath}` : this.url);
		url.searchParams.set('__webhook', webhookName);
		for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
		const res = await fetch(url, { method, body, headers });
		const text = await res.text();
		const reply: WebhookReply = { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: text, returned: this.pendingReturn };
		this.pendingReturn = undefined;
		return reply;
	}

	private pendingReturn: WebhookReply['returned'];
	/** Everything webhook() returned, in arrival order (also for requests the fakes sent). */
	readonly returns: Array<WebhookReply['returned']> = [];

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const webhookName = url.searchParams.get('__webhook') ?? 'default';
		url.searchParams.delete('__webhook');
		const contentType = String(req.headers['content-type'] ?? '');
		let body: unknown = {};
		if (contentType.includes('json') && rawBody.length) body = JSON.parse(rawBody.toString('utf8'));
		const expressLike = Object.assign(req, {
			rawBody,
			body,
			query: Object.fromEntries(url.searchParams.entries()),
			params: {} as Record<string, string>,
			contentType,
		});
		const node = buildNode(this.nodeType, this.opts);
		const workflow = buildWorkflow(this.nodeType, node, this.opts.staticData);
		const webhookData = webhookDataFor(node, this.nodeType, webhookName);
		// n8n's dynamic webhook paths: request segments after the webhook base fill the ":name" segments.
		const template = String(workflow.expression.getSimpleParameterValue(node, webhookData.webhookDescription.path, 'internal', {}) ?? '');
		const segments = url.pathname.replace(/^\/webhook\/?/, '').split('/').filter(Boolean);
		template
			.split('/')
			.filter(Boolean)
			.forEach((part, index) => {
				if (part.startsWith(':') && segments[index] !== undefined) expressLike.params[part.slice(1)] = decodeURIComponent(segments[index]);
			});
		const ctx = new WebhookContext(
			workflow,
			node,
			additionalData(this.opts.credentials ?? {}, { httpRequest: expressLike as never, httpResponse: res as never }),
			'webhook',
			webhookData,
			[],
			null,
		);
		try {
			const returned = (await this.nodeType.webhook!.call(ctx)) as WebhookReply['returned'];
			this.pendingReturn = returned;
			this.returns.push(returned);
			if (returned?.noWebhookResponse) return;
			if (returned?.webhookResponse !== undefined) {
				res.end(typeof returned.webhookResponse === 'string' ? returned.webhookResponse : JSON.stringify(returned.webhookResponse));
				return;
			}
			// n8n's onReceived reply: responseData literal, nothing for 'noData', else "firstEntryJson".
			const responseData = webhookData.webhookDescription.responseData ?? 'firstEntryJson';
			res.end(responseData === 'noData' ? '' : String(responseData));
		} catch (error) {
			this.pendingReturn = undefined;
			res.statusCode = 500;
			res.end(`webhook threw: ${(error as Error).message}`);
		}
	}
}
