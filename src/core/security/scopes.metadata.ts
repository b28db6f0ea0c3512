/**
 * Metadata key under which a route's required scopes are stored (a
 * `string[]`, on the handler or its controller). The scope decorator writes
 * it; the global guard enforces it and the OpenAPI document shows it
 * (`x-required-scopes` on each operation). Kept beside the other security
 * metadata keys so writer and readers share one constant.
 */
export const REQUIRED_SCOPES = 'portico:required-scopes';
