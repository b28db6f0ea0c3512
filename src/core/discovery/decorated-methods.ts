import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';

/** A provider method carrying a decorator's metadata, bound to its instance. */
export interface DecoratedMethod<M, F> {
  /** `Class.method`, for start-up logs and errors. */
  readonly name: string;
  readonly metadata: M;
  readonly call: F;
  /** The provider instance the method is bound to. */
  readonly instance: object;
}

/**
 * Every method of every static provider that carries `key` (the way
 * `@nestjs/schedule` finds its jobs). The method is read from the instance,
 * not the prototype, so decorators that wrap methods in place (@Monitored,
 * @Resilient) apply to what is called.
 */
export function findDecoratedMethods<M, F extends (...args: never[]) => unknown>(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
  key: string,
): Array<DecoratedMethod<M, F>> {
  const found: Array<DecoratedMethod<M, F>> = [];
  for (const wrapper of discovery.getProviders()) {
    const instance: unknown = wrapper.instance;
    if (wrapper.isAlias || !wrapper.isDependencyTreeStatic() || typeof instance !== 'object' || instance === null)
      continue;
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
      const method: unknown = Reflect.get(instance, name);
      if (typeof method !== 'function') continue;
      const metadata = reflector.get<M | undefined>(key, method as () => unknown);
      if (metadata === undefined) continue;
      found.push({
        name: `${instance.constructor.name}.${name}`,
        metadata,
        call: method.bind(instance) as F,
        instance,
      });
    }
  }
  return found;
}
