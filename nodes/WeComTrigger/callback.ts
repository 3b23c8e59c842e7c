import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { WeComCallback } from '../../core/src';

/** The core's callback crypto from the credential; throws the core's reason when a field is malformed. */
export function callbackFrom(credentials: ICredentialDataDecryptedObject, maxTimestampSkewSeconds?: number): WeComCallback {
	return new WeComCallback({
		token: String(credentials.token ?? ''),
		encodingAESKey: String(credentials.encodingAesKey ?? ''),
		receiveId: String(credentials.corpId ?? ''),
		maxTimestampSkewSeconds,
	});
}

/**
 * The credential's Test button: nothing to call (WeCom calls n8n), so it checks what WeCom would
 * reject on the first callback: the EncodingAESKey format, the Token and the Corp ID.
 */
export async function weComCallbackCredentialTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		callbackFrom(credential.data ?? {});
		return { status: 'OK', message: 'The Token, EncodingAESKey and Corp ID are well-formed' };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
