import { Injectable, Logger, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPES } from './require-scopes.decorator';
import type { Scope } from './scopes';

/** One route and what it declares: `public`, the scopes it needs (empty = any caller), or nothing. */
export interface RouteAccess {
  readonly method: string;
  readonly path: string;
  readonly controller: string;
  readonly handler: string;
  readonly access: { readonly kind: 'public' } | { readonly kind: 'scopes'; readonly scopes: readonly Scope[] } | null;
}

/**
 * Every HTTP route with its access declaration, read the way the guard reads
 * it (a method's declaration beats its class's). Start-up warns about routes
 * that declare nothing (the guard lets only admins call them); the e2e route
 * walk fails on them, and the CSRF suite takes its list of writes from here.
 */
@Injectable()
export class RouteAccessInventory implements OnApplicationBootstrap {
  private readonly logger = new Logger(RouteAccessInventory.name);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    for (const route of this.routes().filter((r) => r.access === null)) {
      this.logger.warn(
        `${route.method} ${route.path} (${route.controller}.${route.handler}) declares neither @RequireScopes nor @Public: only admins may call it`,
      );
    }
  }

  routes(): RouteAccess[] {
    const routes: RouteAccess[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype;
      const instance: unknown = wrapper.instance;
      if (typeof type !== 'function' || instance === null || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        for (const path of joinPaths(
          Reflect.getMetadata(PATH_METADATA, type),
          Reflect.getMetadata(PATH_METADATA, handler),
        )) {
          routes.push({
            method: RequestMethod[method],
            path,
            controller: type.name,
            handler: name,
            access: this.accessOf(handler, type),
          });
        }
      }
    }
    return routes;
  }

  private accessOf(handler: object, type: object): RouteAccess['access'] {
    // Like the guard: a handler's metadata first, then its class's.
    const targets = [handler as () => unknown, type as () => unknown];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true) return { kind: 'public' };
    const scopes = this.reflector.getAllAndOverride<readonly Scope[] | undefined>(REQUIRED_SCOPES, targets);
    return scopes === undefined ? null : { kind: 'scopes', scopes };
  }
}

function joinPaths(base: unknown, own: unknown): string[] {
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [''];
  return list(base).flatMap((b) =>
    list(own).map(
      (o) =>
        `/${[b, o]
          .map((part) => part.replace(/^\/+|\/+$/g, ''))
          .filter((p) => p !== '')
          .join('/')}`,
    ),
  );
}
