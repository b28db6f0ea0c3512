import { findEnvProblems } from './env.validation';
import { telemetryConfig } from './telemetry.config';

function resolve(env: Record<string, string>): ReturnType<typeof telemetryConfig> {
  const saved = { ...process.env };
  try {
    for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
    Object.assign(process.env, env);
    return telemetryConfig();
  } finally {
    process.env = saved;
  }
}

describe('telemetry config', () => {
  it('is off without any OTEL_ variable', () => {
    expect(resolve({}).exporter).toBe('none');
  });

  it('exports OTLP/HTTP (protobuf by default) to <endpoint>/v1/traces once an endpoint is set', () => {
    expect(resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      exporter: 'otlp',
      otlp: { url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf', headers: {} },
      serviceName: 'portico',
    });
  });

  it('uses the traces endpoint as given, JSON when asked, the service name and headers', () => {
    expect(
      resolve({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otlp.example.test/custom/path',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'portico-eu',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D,tenant=7',
      }),
    ).toMatchObject({
      exporter: 'otlp',
      otlp: {
        url: 'https://otlp.example.test/custom/path',
        protocol: 'http/json',
        headers: { 'x-api-key': 'abc=', tenant: '7' },
      },
      serviceName: 'portico-eu',
    });
  });

  it('prints spans with OTEL_TRACES_EXPORTER=console; OTEL_SDK_DISABLED=true wins over everything', () => {
    expect(resolve({ OTEL_TRACES_EXPORTER: 'console' }).exporter).toBe('console');
    expect(resolve({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).exporter).toBe(
      'none',
    );
  });

  it('refuses gRPC, an unknown exporter and a non-URL endpoint, naming each variable', () => {
    expect(
      findEnvProblems({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_EXPORTER: 'zipkin',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      }),
    ).toEqual([
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: .*http\(s\) URL/),
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: .*gRPC is not supported/),
      expect.stringMatching(/^OTEL_TRACES_EXPORTER: must be otlp, console or none/),
    ]);
  });

  it('samples every trace by default, and the sampler and share OTEL_TRACES_SAMPLER(_ARG) name', () => {
    expect(resolve({}).sampler).toEqual({ kind: 'parentbased_always_on', ratio: 1 });
    expect(
      resolve({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }).sampler,
    ).toEqual({ kind: 'parentbased_traceidratio', ratio: 0.1 });
  });

  it('refuses an unknown sampler and a share outside 0..1, naming each variable', () => {
    expect(findEnvProblems({ OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '1.5' })).toEqual([
      expect.stringMatching(/^OTEL_TRACES_SAMPLER: must be one of always_on, .*parentbased_traceidratio/),
      expect.stringMatching(/^OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1/),
    ]);
    expect(findEnvProblems({ OTEL_TRACES_SAMPLER_ARG: '-0.1' })).toHaveLength(1);
    expect(findEnvProblems({ OTEL_TRACES_SAMPLER_ARG: '0.25' })).toEqual([]);
    expect(findEnvProblems({ OTEL_TRACES_SAMPLER_ARG: '1' })).toEqual([]);
  });
});
