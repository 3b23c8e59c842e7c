import { ApiError } from './api-error.js';

/** The JSON body as an object, or a 400 (arrays, strings, null and empty bodies are refused). */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw ApiError.of(400, 'INVALID_BODY', 'The request body must be a JSON object, sent with Content-Type: application/json.');
  }
  return body as Record<string, unknown>;
}

export interface StringRule {
  required?: boolean;
  maxBytes: number;
}

/** A string field: 400 when missing or of the wrong type, 413 when larger than the limit. */
export function stringField(body: Record<string, unknown>, field: string, rule: StringRule): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    if (rule.required) throw ApiError.of(400, 'MISSING_FIELD', `"${field}" is required.`, { field });
    return undefined;
  }
  if (typeof value !== 'string') throw ApiError.of(400, 'INVALID_FIELD', `"${field}" must be a string.`, { field });
  if (rule.required && value.trim() === '') throw ApiError.of(400, 'MISSING_FIELD', `"${field}" must not be blank.`, { field });
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > rule.maxBytes) {
    throw ApiError.of(413, 'CONTENT_TOO_LARGE', `"${field}" is ${bytes} bytes; the limit is ${rule.maxBytes}.`, { field, limit: rule.maxBytes });
  }
  return value;
}
