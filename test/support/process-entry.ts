import type { DynamicModule, Type } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { closeOnSignals, createApp } from '../../src/bootstrap';
import { appConfig } from '../../src/config/app.config';

/** Entry for `spawnApp`: the real bootstrap plus optional fixture modules. */
async function main(): Promise<void> {
  const fixtures = (process.env.TEST_FIXTURE_MODULES ?? '')
    .split(',')
    .filter((path) => path !== '')
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    .map((path) => (require(path) as { default: Type | DynamicModule }).default);
  const app = await createApp({ extraModules: fixtures });
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  closeOnSignals(app, config.shutdownTimeoutMs);
  await app.listen(config.port, config.host);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
