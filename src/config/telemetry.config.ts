import { registerAs } from '@nestjs/config';
import { TRACE_SAMPLERS, type TraceExporterKind, type TraceSamplerKind } from '../core/tracing/tracing.options';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { int, list, num, str } from './env.parse';
import type { EnvSpec, RawEnv } from './env-rules';
import { EmptyAsUndefined, IsIntString } from './env.validators';

const HTTP_URL = /^https?:\/\/\S+$/;

/**
 * OpenTelemetry traces, named as the OpenTelemetry specification names them
 * (so collectors' and vendors' instructions apply as written). OTLP over HTTP
 * only: gRPC would add a second transport stack for no gain here.
 */
class TelemetryEnv {
  @EmptyAsUndefined()
  @IsOptional()
  @Matches(HTTP_URL, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (OTLP/HTTP, e.g. :4318)' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @Matches(HTTP_URL, { message: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['http/protobuf', 'http/json'], {
    message: 'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (gRPC is not supported)',
  })
  OTEL_EXPORTER_OTLP_PROTOCOL?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^[^=,\s]+=[^,]*(,[^=,\s]+=[^,]*)*$/, {
    message: 'OTEL_EXPORTER_OTLP_HEADERS must look like key1=value1,key2=value2',
  })
  OTEL_EXPORTER_OTLP_HEADERS?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['otlp', 'console', 'none'], { message: 'OTEL_TRACES_EXPORTER must be otlp, console or none' })
  OTEL_TRACES_EXPORTER?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsString()
  OTEL_SERVICE_NAME?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(['true', 'false'])
  OTEL_SDK_DISABLED?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIntString(1, 60_000)
  OTEL_BSP_SCHEDULE_DELAY?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @IsIn(TRACE_SAMPLERS, { message: `OTEL_TRACES_SAMPLER must be one of ${TRACE_SAMPLERS.join(', ')}` })
  OTEL_TRACES_SAMPLER?: string;

  @EmptyAsUndefined()
  @IsOptional()
  @Matches(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, {
    message: 'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (the share of new traces to keep)',
  })
  OTEL_TRACES_SAMPLER_ARG?: string;
}

/** Which exporter the environment asks for: explicit OTEL_TRACES_EXPORTER, else OTLP when an endpoint is set. */
function exporterOf(env: RawEnv): TraceExporterKind {
  if (env.OTEL_SDK_DISABLED === 'true') return 'none';
  const named = str(env.OTEL_TRACES_EXPORTER);
  if (named !== undefined) return named as TraceExporterKind;
  return (str(env.OTEL_EXPORTER_OTLP_ENDPOINT) ?? str(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) ? 'otlp' : 'none';
}

/** The traces URL: the signal-specific endpoint as given, or `/v1/traces` under the base endpoint (spec). */
function tracesUrl(env: RawEnv): string {
  const specific = str(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (specific !== undefined) return specific;
  const base = str(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://localhost:4318');
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

function headersOf(value: string | undefined): Record<string, string> {
  return Object.fromEntries(
    list(value).map((pair) => {
      const at = pair.indexOf('=');
      return [decodeURIComponent(pair.slice(0, at).trim()), decodeURIComponent(pair.slice(at + 1).trim())];
    }),
  );
}

export const telemetryConfig = registerAs('telemetry', () => {
  const env = process.env;
  return {
    /** `none` (the default) switches tracing off entirely: no spans, no context propagation. */
    exporter: exporterOf(env),
    otlp: {
      url: tracesUrl(env),
      protocol: (str(env.OTEL_EXPORTER_OTLP_PROTOCOL) ?? 'http/protobuf') as 'http/protobuf' | 'http/json',
      /** Sent with every export (collector or vendor credentials): never logged. */
      headers: headersOf(env.OTEL_EXPORTER_OTLP_HEADERS),
    },
    serviceName: str(env.OTEL_SERVICE_NAME, 'portico'),
    /** How often finished spans are sent (ms). */
    exportDelayMs: int(env.OTEL_BSP_SCHEDULE_DELAY, 5_000),
    /** Every trace by default, as the specification's default (parentbased_always_on, ratio 1.0). */
    sampler: {
      kind: (str(env.OTEL_TRACES_SAMPLER) ?? 'parentbased_always_on') as TraceSamplerKind,
      ratio: num(env.OTEL_TRACES_SAMPLER_ARG, 1),
    },
  };
});

export type TelemetryConfig = ReturnType<typeof telemetryConfig>;

export const telemetryEnv: EnvSpec = { namespace: 'telemetry', schema: TelemetryEnv };
