import { type DynamicModule, type INestApplicationContext, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfigModule } from '../config/config.module';
import { InvalidEnvironmentError } from '../config/env.validation';
import { declaredProviderConfigs } from '../config/provider-config';

@Module({})
class CliModule {}

/** A Nest context with validated config plus `imports`, for one-shot commands. */
export async function createCliContext(imports: ReadonlyArray<Type | DynamicModule>): Promise<INestApplicationContext> {
  const module: DynamicModule = {
    module: CliModule,
    imports: [await AppConfigModule.forRoot(declaredProviderConfigs(imports)), ...imports],
  };
  // Errors only: a command reports its own outcome in one line; provider-call warnings (with stacks) are noise here.
  return NestFactory.createApplicationContext(module, { logger: ['error'] });
}

/** Runs a command, printing a clean message (never a stack) for a bad environment. */
export function runCli(command: () => Promise<void>): void {
  command().then(
    () => process.exit(0),
    (error: unknown) => {
      const message =
        error instanceof InvalidEnvironmentError || error instanceof CliUsageError
          ? error.message
          : error instanceof Error
            ? (error.stack ?? error.message)
            : String(error);
      process.stderr.write(`${message}\n`);
      process.exit(error instanceof CliUsageError ? 2 : 1);
    },
  );
}

export class CliUsageError extends Error {}
