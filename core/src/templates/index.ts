export { compileTemplate, renderTemplate, TemplateError, NOW_ROOT, DEFAULT_MAX_VALUE_BYTES, type CompiledTemplate, type TemplateOptions, type TemplateRenderOptions, type TemplateEscape } from './template';
export { HELPER_NAMES } from './template-helpers';
export { DEFAULT_TIME_ZONE, isValidTimeZone, toInstant, zonedParts } from './time-zone';
