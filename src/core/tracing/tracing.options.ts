/** How traces leave the process; `none` switches tracing off (no spans, no propagation, no overhead). */
export type TraceExporterKind = 'otlp' | 'console' | 'none';

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
}
