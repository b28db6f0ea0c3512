import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../security/public.decorator';
import { REQUIRED_SCOPES } from '../security/scopes.metadata';

/** Who may call one route, as the global guard decides it (read from the same metadata). */
export interface RouteAccess {
  readonly public: boolean;
  readonly scopes: readonly string[];
}

/** The operationId of a handler: `<Controller>_<method>`, which also keys the access table below. */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  return `${controllerKey}_${methodKey}`;
}

/**
 * Access of every route handler, by operationId. Read from the decorators'
 * metadata (handler over controller, as the guard's Reflector does), so the
 * document can never disagree with what the guard enforces.
 */
export function collectRouteAccess(app: INestApplication): Map<string, RouteAccess> {
  const reflector = new Reflector();
  const access = new Map<string, RouteAccess>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const methodKey of Object.getOwnPropertyNames(prototype)) {
        const handler = methodKey === 'constructor' ? undefined : prototype[methodKey];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const targets = [handler, controller];
        const isPublic = reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) === true;
        // As the guard: a route that declares nothing needs `admin` (fail closed).
        const scopes =
          reflector.getAllAndOverride<readonly string[] | undefined>(REQUIRED_SCOPES, targets) ??
          (isPublic ? [] : ['admin']);
        access.set(operationIdOf(controller.name, methodKey), {
          public: isPublic,
          scopes: [...scopes].sort(),
        });
      }
    }
  }
  return access;
}
