// Stands in for core/src/transport/axios-transport in the n8n bundle: n8n nodes always pass
// their own transport (n8n's request helpers), so this is never constructed.
class AxiosTransport {
	constructor() {
		throw new Error('The axios transport is not available inside n8n; pass the n8n transport to createChannel.');
	}
}
module.exports = { AxiosTransport };
