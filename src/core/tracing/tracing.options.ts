/** How traces leave the process; `none` switches tracing off (no spans, no propagation, no overhead). */
export type TraceExporterKind = 'otlp' | 'console' | 'none';

/**
 * OpenTelemetry's sampler names (`OTEL_TRACES_SAMPLER`). `parentbased_*` follow
 * an incoming `traceparent`'s decision and apply the rest to new traces only.
 */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSamplerKind = (typeof TRACE_SAMPLERS)[number];

export interface TracingOptions {
  readonly exporter: TraceExporterKind;
  readonly otlp: {
    /** Full traces URL (`…/v1/traces`). */
    readonly url: string;
    readonly protocol: 'http/protobuf' | 'http/json';
    readonly headers: Readonly<Record<string, string>>;
  };
  readonly serviceName: string;
  /** How often finished spans are exported (ms). */
  readonly exportDelayMs: number;
  /** Which traces are recorded and exported; `ratio` (0..1) is the share the `traceidratio` samplers keep. */
  readonly sampler: { readonly kind: TraceSamplerKind; readonly ratio: number };
}
