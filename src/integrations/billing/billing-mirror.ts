import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { uuidv7 } from '../../core/database/ids';
import { SqlDialect } from '../../core/database/sql-dialect';
import { TransactionRunner } from '../../core/database/transaction-runner';
import { CustomersService } from '../payments/customers.service';
import { InjectBillingGateway, type BillingGateway } from './billing-gateway.port';
import type { InvoiceSnapshot, SubscriptionSnapshot } from './billing-objects';

/** What happened to the mirrored row. */
export type MirrorOutcome = 'inserted' | 'updated' | 'stale';

type Table = 'subscriptions' | 'invoices';

/**
 * Keeps `subscriptions` and `invoices` equal to Stripe's objects, whatever
 * order and however often events arrive. A subscription may legitimately
 * move back (`active` → `past_due` → `active`), so there is no forward-only
 * rank: the newest `event.created` wins. Two events of the same second
 * cannot be ordered from their payloads, so on a tie the object is fetched
 * from Stripe (through the resilient gateway) and that answer, which is at
 * least as new as either event, is stored. Each write is one conditional
 * statement, so concurrent workers on several instances cannot store an
 * older state over a newer one.
 */
@Injectable()
export class BillingMirror {
  private readonly dialect: SqlDialect;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly customers: CustomersService,
    @InjectBillingGateway() private readonly gateway: BillingGateway,
  ) {
    this.dialect = new SqlDialect(dataSource);
  }

  /** Applies a subscription as of `created` (an event's), fetching it from Stripe on a tie. */
  async applySubscription(snapshot: SubscriptionSnapshot, created: number): Promise<MirrorOutcome> {
    return this.apply('subscriptions', snapshot.id, created, await this.subscriptionColumns(snapshot), async () =>
      this.subscriptionColumns(await this.gateway.retrieveSubscription(snapshot.id)),
    );
  }

  /** Stores Stripe's current subscription, unless an event newer than `created` was applied already. */
  async refreshSubscription(providerId: string, created: number): Promise<MirrorOutcome> {
    const current = await this.subscriptionColumns(await this.gateway.retrieveSubscription(providerId));
    return this.write('subscriptions', providerId, created, current, '<=');
  }

  /** Stores a subscription Stripe just answered with (after our own change): current as of now. */
  async storeCurrent(snapshot: SubscriptionSnapshot): Promise<MirrorOutcome> {
    const now = Math.floor(Date.now() / 1000);
    return this.write('subscriptions', snapshot.id, now, await this.subscriptionColumns(snapshot), '<=');
  }

  async applyInvoice(snapshot: InvoiceSnapshot, created: number): Promise<MirrorOutcome> {
    return this.apply('invoices', snapshot.id, created, await this.invoiceColumns(snapshot), async () =>
      this.invoiceColumns(await this.gateway.retrieveInvoice(snapshot.id)),
    );
  }

  async invoiceOwner(stripeId: string): Promise<string | null> {
    const rows = await this.dialect.execute(
      this.dataSource.manager,
      'SELECT owner_id FROM invoices WHERE stripe_id = ?',
      [stripeId],
    );
    return (rows.records as Array<{ owner_id: string | null }>)[0]?.owner_id ?? null;
  }

  private async apply(
    table: Table,
    stripeId: string,
    created: number,
    columns: Record<string, unknown>,
    fetch: () => Promise<Record<string, unknown>>,
  ): Promise<MirrorOutcome> {
    // A second pass only when another worker inserted the row between our UPDATE and INSERT.
    for (let pass = 0; pass < 2; pass += 1) {
      const outcome = await this.write(table, stripeId, created, columns, '<');
      if (outcome !== 'stale') return outcome;
      const rows = await this.dialect.execute(
        this.dataSource.manager,
        `SELECT last_event_created FROM ${table} WHERE stripe_id = ?`,
        [stripeId],
      );
      const applied = Number((rows.records as Array<{ last_event_created: number | string }>)[0]?.last_event_created);
      if (applied > created) return 'stale';
      if (applied === created) return this.write(table, stripeId, created, await fetch(), '<=');
    }
    return 'stale';
  }

  /** One conditional UPDATE (`last_event_created <op> created`), or the INSERT of a row never seen. */
  private async write(
    table: Table,
    stripeId: string,
    created: number,
    columns: Record<string, unknown>,
    op: '<' | '<=',
  ): Promise<MirrorOutcome> {
    return this.transactions.write(async (manager) => {
      // The owner is only ever filled in (a customer of ours is never handed to someone else).
      const names = Object.keys(columns).filter((name) => name !== 'owner_id');
      const values = names.map((name) => columns[name]);
      const since =
        table === 'subscriptions' ? ', status_since = CASE WHEN status <> ? THEN ? ELSE status_since END' : '';
      const sinceValues = table === 'subscriptions' ? [columns.status, created] : [];
      const updated = await this.dialect.execute(
        manager,
        `UPDATE ${table} SET ${names.map((name) => `${name} = ?`).join(', ')}${since}, ` +
          `owner_id = COALESCE(owner_id, ?), last_event_created = ?, updated_at = CURRENT_TIMESTAMP ` +
          `WHERE stripe_id = ? AND last_event_created ${op} ? RETURNING id`,
        [...values, ...sinceValues, columns.owner_id ?? null, created, stripeId, created],
      );
      if (updated.records.length > 0) return 'updated';
      const insertNames = [...names, 'owner_id', 'id', 'stripe_id', 'last_event_created'];
      const insertValues = [...values, columns.owner_id ?? null, uuidv7(), stripeId, created];
      if (table === 'subscriptions') {
        insertNames.push('status_since');
        insertValues.push(created);
      }
      const inserted = await this.dialect.execute(
        manager,
        `INSERT INTO ${table} (${insertNames.join(', ')}) VALUES (${insertNames.map(() => '?').join(', ')}) ` +
          'ON CONFLICT (stripe_id) DO NOTHING RETURNING id',
        insertValues,
      );
      return inserted.records.length > 0 ? 'inserted' : 'stale';
    });
  }

  private async subscriptionColumns(s: SubscriptionSnapshot): Promise<Record<string, unknown>> {
    return {
      owner_id: await this.customers.ownerOf(s.customer),
      customer_id: s.customer,
      status: s.status,
      items: JSON.stringify(s.items),
      current_period_end: s.currentPeriodEnd,
      cancel_at_period_end: s.cancelAtPeriodEnd,
      trial_end: s.trialEnd,
      latest_invoice: s.latestInvoice,
    };
  }

  private async invoiceColumns(i: InvoiceSnapshot): Promise<Record<string, unknown>> {
    return {
      owner_id: await this.customers.ownerOf(i.customer),
      customer_id: i.customer,
      subscription_id: i.subscription,
      status: i.status,
      amount_due: i.amountDue,
      amount_paid: i.amountPaid,
      currency: i.currency,
      hosted_invoice_url: i.hostedInvoiceUrl,
      customer_email: i.customerEmail,
    };
  }
}
