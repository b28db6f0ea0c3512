import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { storageConfig } from '../storage.config';
import { DurableProcessor } from '../../../core/durable/durable.processor';
import { DirectUploadsService } from './direct-uploads.service';

/**
 * Every STORAGE_SWEEP_INTERVAL_SECONDS, removes uploads that were never
 * confirmed before their URL (plus a grace period) expired. The timer is
 * unref'd: it never keeps the process alive.
 */
@Injectable()
export class UploadSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UploadSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly uploads: DirectUploadsService,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
    private readonly processor: DurableProcessor,
  ) {}

  onApplicationBootstrap(): void {
    // Background work: not in PORTICO_ROLE=api processes.
    if (!this.processor.runsWorkers) return;
    this.timer = setInterval(() => void this.sweep(), this.config.sweepIntervalSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass (skipped while the previous one still runs). */
  sweep(): Promise<void> {
    this.running ??= this.uploads
      .sweepExpired()
      .then((removed) => {
        if (removed > 0) this.logger.log(`Removed ${removed} expired unconfirmed upload(s)`);
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Sweeping expired uploads failed'))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
