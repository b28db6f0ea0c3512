import { type DynamicModule, Inject, type InjectionToken, Module, type ModuleMetadata } from '@nestjs/common';
import { ResiliencePolicyRegistry } from '../../core/resilience/policy-registry';
import { ProviderStatusRegistry } from '../../health/provider-status.registry';
import type { HttpClient } from './http-client';
import type { HttpClientOptions, HttpClientRegistration } from './http-client.options';
import { namedHttpClientClass } from './named-http-client';

/** The injection token of the client registered as `name`. */
export function httpClientToken(name: string): string {
  return `HttpClient:${name}`;
}

/** Injects the client registered as `name`: `constructor(@InjectHttpClient('github-api') private readonly api: HttpClient)`. */
export const InjectHttpClient = (name: string): ParameterDecorator & PropertyDecorator => Inject(httpClientToken(name));

export interface HttpClientAsyncRegistration extends Pick<ModuleMetadata, 'imports'> {
  readonly name: string;
  readonly inject?: InjectionToken[];
  readonly useFactory: (...args: never[]) => HttpClientOptions | Promise<HttpClientOptions>;
}

/**
 * Named JSON clients for API-key services. Each `register()` adds one
 * client, injectable with `@InjectHttpClient(name)`, whose calls run under
 * the resilience policy and metrics of provider `name`, and which reports
 * in `/health/ready` (`not_configured` while `missingConfig` is set).
 *
 * Hand-written rather than `ConfigurableModuleBuilder`: that gives one
 * options token per module class, and each named client needs its own.
 */
@Module({})
export class HttpClientModule {
  static register(registration: HttpClientRegistration): DynamicModule {
    const { name, ...options } = registration;
    return HttpClientModule.registerAsync({ name, useFactory: () => options });
  }

  static registerAsync(registration: HttpClientAsyncRegistration): DynamicModule {
    const token = httpClientToken(registration.name);
    return {
      module: HttpClientModule,
      imports: registration.imports ?? [],
      providers: [
        {
          provide: token,
          inject: [
            ...(registration.inject ?? []),
            { token: ProviderStatusRegistry, optional: true },
            { token: ResiliencePolicyRegistry, optional: true },
          ],
          useFactory: async (...args: unknown[]): Promise<HttpClient> => {
            const resilience = args.pop() as ResiliencePolicyRegistry | undefined;
            const status = args.pop() as ProviderStatusRegistry | undefined;
            const options = await registration.useFactory(...(args as never[]));
            const full: HttpClientRegistration = { ...options, name: registration.name };
            // The client's settings are its provider's: resolved on the first call of any method under that name.
            resilience?.configure(registration.name, {
              ...options.resilience,
              ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
            });
            status?.register(registration.name, () => ({
              status: options.missingConfig === undefined ? 'up' : 'not_configured',
            }));
            const ClientClass = namedHttpClientClass(full);
            return new ClientClass(full);
          },
        },
      ],
      exports: [token],
    };
  }
}
