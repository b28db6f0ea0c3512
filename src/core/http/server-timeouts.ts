/** Settings the HTTP server timeouts derive from. */
export interface TimeoutInputs {
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly minUploadBytesPerSecond: number;
}

export interface ServerTimeouts {
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
}

/**
 * Node's server timeouts, set explicitly rather than left at Node's defaults
 * (a 300 s `requestTimeout` cuts a 100 MiB upload slower than 350 KB/s):
 *
 *   requestTimeout = headersTimeout + ceil(maxUploadBytes / minUploadBytesPerSecond) s
 *
 * so the largest upload allowed (STORAGE_MAX_UPLOAD_BYTES) still fits when the
 * client sends at the slowest speed we promise to wait for
 * (HTTP_MIN_UPLOAD_BYTES_PER_SECOND), after its headers took as long as
 * allowed. `headersTimeout` (HTTP_HEADERS_TIMEOUT_MS) bounds slow-header
 * clients; `keepAliveTimeout` (HTTP_KEEP_ALIVE_TIMEOUT_MS, 65 s) outlives the
 * usual 60 s idle timeout of load balancers so they never reuse a closed socket.
 */
export function serverTimeouts(inputs: TimeoutInputs, maxUploadBytes: number): ServerTimeouts {
  const uploadMs = Math.ceil(maxUploadBytes / inputs.minUploadBytesPerSecond) * 1000;
  return {
    headersTimeout: inputs.headersTimeoutMs,
    requestTimeout: inputs.headersTimeoutMs + uploadMs,
    keepAliveTimeout: inputs.keepAliveTimeoutMs,
  };
}
