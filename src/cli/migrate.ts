import { TypeOrmModule } from '@nestjs/typeorm';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { databaseConfig } from '../config/database.config';
import { buildDataSourceOptions } from '../core/database/data-source.options';
import { runMigrationsExclusively } from '../core/database/migration-lock';
import { CliUsageError, createCliContext, runCli } from './cli-context';

/** `npm run migration:run` / `npm run migration:revert` against the configured database. */
runCli(async () => {
  const action = process.argv[2];
  if (action !== 'run' && action !== 'revert' && action !== 'show')
    throw new CliUsageError('usage: migrate run|revert|show');
  const context = await createCliContext([
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (config: ConfigType<typeof databaseConfig>) => buildDataSourceOptions(config),
    }),
  ]);
  const dataSource = context.get(DataSource);
  if (action === 'run') {
    const applied = await runMigrationsExclusively(dataSource, 'each');
    process.stdout.write(
      applied.length === 0 ? 'No pending migrations\n' : applied.map((m) => `Applied ${m.name}\n`).join(''),
    );
  } else if (action === 'revert') {
    await dataSource.undoLastMigration({ transaction: 'each' });
    process.stdout.write('Reverted the last migration\n');
  } else {
    const pending = await dataSource.showMigrations();
    process.stdout.write(pending ? 'There are pending migrations\n' : 'The schema is up to date\n');
  }
  await context.close();
});
