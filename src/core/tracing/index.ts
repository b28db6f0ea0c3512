export { CALL_ATTRIBUTES, ProviderCallSpan, ProviderCallSpans } from './provider-call-spans';
export {
  type TraceCarrier,
  activeTraceFields,
  captureTraceContext,
  injectTraceHeaders,
  restoreTraceContext,
} from './trace-context';
export { TracingModule } from './tracing.module';
export type { TraceExporterKind, TracingOptions } from './tracing.options';
export { Tracing } from './tracing.service';
