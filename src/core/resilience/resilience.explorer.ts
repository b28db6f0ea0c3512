import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { IntegrationMetrics } from '../monitoring/integration-metrics';
import { MONITORED, type MonitoredMetadata } from '../monitoring/monitored.decorator';
import { Tracing } from '../tracing/tracing.service';
import { type AnyMethod, wrapMethod } from './method-wrapper';
import { ResiliencePolicyRegistry } from './policy-registry';
import { RESILIENT, type ResilientMetadata } from './resilient.decorator';
import { RESILIENCE_OPTIONS, type ResilienceOptions } from './resilience.options';

/** Methods a class-level decorator never wraps: Nest lifecycle hooks. */
const LIFECYCLE_HOOKS = new Set([
  'constructor',
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

/**
 * Finds methods of singleton providers carrying `@Resilient` and/or
 * `@Monitored` (on the method, or on the class for all its own public
 * methods; the method's decorator wins) and replaces them on the instance
 * with a wrapper that applies the provider's policy and records metrics.
 * The prototype is left alone; the wrapper carries the original's metadata.
 */
@Injectable()
export class ResilienceExplorer implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Resilience');
  private readonly callLogger = new Logger('ProviderCall');
  private readonly wrapped = new WeakSet<object>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: ResiliencePolicyRegistry,
    private readonly metrics: IntegrationMetrics,
    @Inject(RESILIENCE_OPTIONS) private readonly options: ResilienceOptions,
    @Optional() private readonly tracing?: Tracing,
  ) {}

  /** Every provider name a decorated method uses. */
  private readonly providerNames = new Set<string>();
  /** Each wrapped operation's policy, built once every module has added its settings. */
  private readonly policies: Array<() => unknown> = [];

  /** @throws UnknownProviderSettingsError when an operator override names no provider of this app. */
  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) this.explore(wrapper);
    this.registry.verifyOverrides(this.providerNames);
  }

  /**
   * Builds every policy before the first request (modules add their
   * settings up to their own `onModuleInit`), so breakers and their gauges
   * exist from the start and no first call pays for the build.
   */
  onApplicationBootstrap(): void {
    for (const build of this.policies) build();
  }

  private explore(wrapper: InstanceWrapper): void {
    const instance: unknown = wrapper.instance;
    if (instance === null || typeof instance !== 'object' || this.wrapped.has(instance)) return;
    const prototype: unknown = Object.getPrototypeOf(instance);
    if (prototype === null || typeof prototype !== 'object' || prototype === Object.prototype) return;
    const targets = this.decoratedMethods(instance, prototype);
    if (targets.length === 0) return;
    if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
      this.logger.warn(
        `${wrapper.name}: @Resilient/@Monitored are applied to singleton providers only; this one is request-scoped or transient and is left unwrapped`,
      );
      return;
    }
    this.wrapped.add(instance);
    for (const target of targets) this.wrap(instance, target);
  }

  private decoratedMethods(instance: object, prototype: object): DecoratedMethod[] {
    const classType = instance.constructor;
    const classResilient = this.reflector.get<ResilientMetadata | undefined>(RESILIENT, classType);
    const classMonitored = this.reflector.get<MonitoredMetadata | undefined>(MONITORED, classType);
    // Class decorators cover the class's own async methods; method decorators count anywhere in the chain.
    const own = new Set(classResilient || classMonitored ? classCoveredMethods(prototype) : []);
    const result: DecoratedMethod[] = [];
    for (const name of this.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[name];
      if (typeof method !== 'function') continue;
      const classLevel = own.has(name);
      const resilient =
        this.reflector.get<ResilientMetadata | undefined>(RESILIENT, method) ??
        (classLevel ? classResilient : undefined);
      const monitored =
        this.reflector.get<MonitoredMetadata | undefined>(MONITORED, method) ??
        (classLevel ? classMonitored : undefined);
      if (resilient !== undefined || monitored !== undefined)
        result.push({ name, method: method as AnyMethod, resilient, monitored });
    }
    return result;
  }

  private wrap(instance: object, { name, method, resilient, monitored }: DecoratedMethod): void {
    const provider = resilient?.provider ?? monitored?.provider ?? 'unknown';
    if (resilient !== undefined && monitored !== undefined && resilient.provider !== monitored.provider) {
      this.logger.warn(
        `${instance.constructor.name}.${name}: @Resilient('${resilient.provider}') and @Monitored('${monitored.provider}') name different providers; using '${provider}'`,
      );
    }
    const operation = monitored?.operation ?? name;
    this.providerNames.add(provider);
    const operationMetrics = this.metrics.forOperation(provider, operation);
    const policy = resilient === undefined ? undefined : () => this.registry.operation(provider, operation, resilient);
    if (policy !== undefined) this.policies.push(policy);
    const wrapped = wrapMethod(method, {
      provider,
      operation,
      resilient,
      // Resolved after start-up, so settings modules add (`registry.configure`) apply.
      policy,
      metrics: monitored === undefined ? undefined : operationMetrics,
      policyMetrics: operationMetrics,
      spans: this.tracing?.providerCalls(provider, operation),
      logger: this.callLogger,
      debug: this.options.debugLogs === true,
    });
    copyMetadata(method, wrapped);
    Object.defineProperty(wrapped, 'name', { value: name });
    Object.defineProperty(instance, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
    this.logger.debug(
      `${instance.constructor.name}.${name} → ${provider} ${operation}${resilient ? ' (resilient)' : ''}${monitored ? ' (monitored)' : ''}`,
    );
  }
}

interface DecoratedMethod {
  readonly name: string;
  readonly method: AnyMethod;
  readonly resilient?: ResilientMetadata;
  readonly monitored?: MonitoredMetadata;
}

// `async` functions are instances of the (unexported) AsyncFunction constructor.
const AsyncFunction = (Object.getPrototypeOf(async function () {}) as { constructor: unknown }).constructor;

/**
 * What a class decorator covers: `async` methods declared on the class
 * itself, except Nest lifecycle hooks and `_underscored` names. TypeScript's
 * `private` is invisible at run time, so synchronous helpers are skipped
 * (wrapping would make them return promises); a promise-returning method
 * that is not `async` needs its own method decorator.
 */
function classCoveredMethods(prototype: object): string[] {
  return Object.getOwnPropertyNames(prototype).filter((name) => {
    if (LIFECYCLE_HOOKS.has(name) || name.startsWith('_')) return false;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    return descriptor !== undefined && (descriptor.value as object)?.constructor === AsyncFunction;
  });
}

/** Other decorators' metadata (swagger, guards, ...) stays readable on the wrapper. */
export function copyMetadata(from: object, to: object): void {
  for (const key of Reflect.getOwnMetadataKeys(from)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, from), to);
  }
}
