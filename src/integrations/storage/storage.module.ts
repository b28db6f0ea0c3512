import { type DynamicModule, Inject, Injectable, Module, type OnModuleInit, type Provider } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProviderConfigModule } from '../../config/provider-config';
import { storageConfig } from './storage.config';
import { ProviderStatusRegistry } from '../../health/provider-status.registry';
import { FileEntity } from './files/file.entity';
import { FilesController } from './files/files.controller';
import { DirectUploadsService } from './files/direct-uploads.service';
import { FilesService } from './files/files.service';
import { StorageQuota } from './files/storage-quota';
import { UploadSweeper } from './files/upload-sweeper';
import { LocalObjectsController } from './local/local-objects.controller';
import { LocalStorageDriver } from './local/local-storage.adapter';
import { S3StorageDriver } from './s3/s3-storage.adapter';
import { StorageDriver } from './storage-driver';

/** Reports the s3 provider: not configured, up, or degraded after a call found it unreachable. */
@Injectable()
class S3StatusReporter implements OnModuleInit {
  constructor(
    private readonly registry: ProviderStatusRegistry,
    @Inject(StorageDriver) private readonly driver: StorageDriver,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
  ) {}

  onModuleInit(): void {
    const driver = this.driver;
    if (!(driver instanceof S3StorageDriver)) {
      this.registry.register('s3', () => ({ status: 'not_configured' }));
      return;
    }
    const { bucket } = this.config.s3;
    this.registry.register('s3', () => {
      const failure = driver.recentFailure();
      return failure === undefined
        ? { status: 'up', bucket }
        : { status: 'degraded', bucket, lastFailureAt: failure.at.toISOString(), problem: failure.problem };
    });
  }
}

/**
 * Files and their storage. The driver is chosen once, when the app is built:
 * `STORAGE_DRIVER=s3` (or S3_BUCKET set) → `S3StorageDriver`, otherwise
 * `LocalStorageDriver` with its signed-URL routes. Each driver is a class
 * provider so the resilience and monitoring explorers see its decorators.
 */
@Module({})
export class StorageModule {
  static forRoot(): DynamicModule {
    const driver = storageConfig.read().driver;
    const driverClass = driver === 's3' ? S3StorageDriver : LocalStorageDriver;
    // One provider per driver instance (no alias), so an explorer wraps its methods exactly once.
    const providers: Provider[] = [
      { provide: StorageDriver, useClass: driverClass },
      FilesService,
      StorageQuota,
      DirectUploadsService,
      UploadSweeper,
      S3StatusReporter,
    ];
    return {
      module: StorageModule,
      // Global: other areas use stored files (email attachments) without building a second StorageModule
      // (each forRoot() is a module of its own to Nest: a second sweeper, controller and status reporter).
      global: true,
      imports: [TypeOrmModule.forFeature([FileEntity]), ProviderConfigModule.forFeature(storageConfig)],
      controllers: driver === 's3' ? [FilesController] : [FilesController, LocalObjectsController],
      providers,
      exports: [StorageDriver, FilesService, DirectUploadsService],
    };
  }
}
