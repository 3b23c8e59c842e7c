// Stands in for the core's server transports (axios-transport, node-http-transport) in the n8n
// bundle: n8n nodes always pass their own transport (n8n's request helpers), so these are never
// constructed.
function unavailable() {
	throw new Error('Server transports are not available inside n8n; pass the n8n transport to createChannel.');
}
class AxiosTransport {
	constructor() {
		unavailable();
	}
}
class NodeHttpTransport {
	constructor() {
		unavailable();
	}
}
module.exports = { AxiosTransport, NodeHttpTransport };
