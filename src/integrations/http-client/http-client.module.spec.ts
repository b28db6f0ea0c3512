import { Injectable } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { ProviderNotConfiguredError } from '../../core/errors/integration.error';
import { RESILIENT, type ResilientMetadata } from '../../core/resilience/resilient.decorator';
import { ResilienceModule } from '../../core/resilience/resilience.module';
import { HttpClient } from './http-client';
import { HttpClientModule, InjectHttpClient, httpClientToken } from './http-client.module';
import { appConfig } from '../../config/app.config';

@Injectable()
class TwoClientsConsumer {
  constructor(
    @InjectHttpClient('alpha') readonly alpha: HttpClient,
    @InjectHttpClient('beta') readonly beta: HttpClient,
  ) {}
}

describe(HttpClientModule.name, () => {
  let moduleRef: TestingModule;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        // MonitoringModule's /metrics reads the app config (METRICS_TOKEN).
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }),
        ResilienceModule.forRoot({}),
        HttpClientModule.register({
          name: 'alpha',
          baseUrl: 'http://127.0.0.1:1/v1',
          auth: { type: 'bearer', token: 't' },
        }),
        HttpClientModule.registerAsync({
          name: 'beta',
          useFactory: async () => ({ baseUrl: 'http://127.0.0.1:1', missingConfig: ['BETA_TOKEN'] }),
        }),
      ],
      providers: [TwoClientsConsumer],
    }).compile();
    await moduleRef.init();
  });
  afterAll(async () => moduleRef.close());

  it('provides each named client on its own token', () => {
    const consumer = moduleRef.get(TwoClientsConsumer);
    expect(consumer.alpha).toBeInstanceOf(HttpClient);
    expect(consumer.alpha.name).toBe('alpha');
    expect(consumer.beta.name).toBe('beta');
    expect(moduleRef.get(httpClientToken('alpha'))).toBe(consumer.alpha);
  });

  it('puts the verbs under the client’s resilience policy (POST/PATCH need an idempotency key)', () => {
    const alpha = moduleRef.get<HttpClient>(httpClientToken('alpha'));
    const get = Reflect.getMetadata(RESILIENT, alpha.get) as ResilientMetadata;
    const post = Reflect.getMetadata(RESILIENT, alpha.post) as ResilientMetadata;
    expect(get).toMatchObject({ provider: 'alpha' });
    expect(get.idempotent).toBeUndefined();
    expect(post).toMatchObject({ provider: 'alpha', idempotent: false });
    // Wrapped on the instance by the explorer:
    expect(alpha.get).not.toBe(Object.getPrototypeOf(alpha).get);
  });

  it('refuses calls with ProviderNotConfiguredError while configuration is missing', async () => {
    const beta = moduleRef.get<HttpClient>(httpClientToken('beta'));
    const error = await beta.get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderNotConfiguredError);
    expect((error as ProviderNotConfiguredError).message).toContain('BETA_TOKEN');
  });
});
