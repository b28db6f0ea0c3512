import { randomUUID } from 'node:crypto';
import type { EmailAccount, ListedSuppression } from './email-account.port';

/** The log transport's account: no vendor lists; batches exist only as ids (nothing is handed over anywhere). */
export class LogAccount implements EmailAccount {
  readonly remote = false;

  listSuppressions(): Promise<ListedSuppression[]> {
    return Promise.resolve([]);
  }

  listGroups(): Promise<number[]> {
    return Promise.resolve([]);
  }

  liftSuppression(): Promise<void> {
    return Promise.resolve();
  }

  createBatch(): Promise<string> {
    return Promise.resolve(`log-batch:${randomUUID()}`);
  }

  cancelBatch(): Promise<void> {
    return Promise.resolve();
  }
}
