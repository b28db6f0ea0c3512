import { Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7 } from '../../core/database/ids';
import { SqlDialect } from '../../core/database/sql-dialect';
import { TransactionRunner } from '../../core/database/transaction-runner';
import { DurableEvents } from '../../core/durable/durable-events';
import { Tracing } from '../../core/tracing/tracing.service';
import { PaymentEntity } from './entities/payment.entity';
import type { IntentReference } from './payment-records';
import { RefundEntity } from './entities/refund.entity';
import { sqlFor } from '../../core/database/sql-dialect';
import {
  PaymentDomainEvent,
  type PaymentRefundedEventPayload,
  type PaymentStatusEventPayload,
} from './payment-domain-events';
import { type PaymentStatus, TERMINAL_RANK, refundRank, refundStatusesBelow, statusRank } from './payment-status';

export interface StatusUpdate {
  readonly status: PaymentStatus;
  /** When the change happened at Stripe, Unix seconds (`event.created`). */
  readonly at: number;
  readonly source: 'api' | 'webhook' | 'catch-up';
  readonly eventId?: string;
  readonly amountReceived?: number;
}

/** What `adoptIntent` did: recorded a new payment, or found the intent's row (`existing`; see there). */
export type Adoption =
  { readonly adopted: string } | { readonly adopted?: undefined; readonly existing: string | undefined };

/** Columns the status UPDATE returns (raw: BIGINT may come back as a string). */
interface UpdatedPayment {
  readonly status_version: number | string;
  readonly owner_id: string | null;
  readonly stripe_id: string | null;
  readonly amount: number | string;
  readonly currency: string;
  readonly customer_email: string | null;
  readonly description: string | null;
}

/** The columns a status write returns (see `UpdatedPayment`). */
const RETURNED = 'status_version, owner_id, stripe_id, amount, currency, customer_email, description';

/** Writes one status change in `manager`'s transaction; the changed row, or undefined when nothing changed. */
type StatusWrite = (manager: EntityManager, rank: number) => Promise<UpdatedPayment | undefined>;

/** `?` placeholders that collect their values in order into `params`. */
function placeholders(params: unknown[]): (value: unknown) => string {
  return (value) => {
    params.push(value);
    return '?';
  };
}

const STATUS_EVENTS: Partial<Record<PaymentStatus, string>> = {
  succeeded: PaymentDomainEvent.succeeded,
  failed: PaymentDomainEvent.failed,
  canceled: PaymentDomainEvent.canceled,
};

/**
 * The only writer of payment status and refunded amounts. Every change is
 * one conditional UPDATE (or, for an intent first seen in an event, one
 * INSERT that yields to an existing row), so concurrent writers (several
 * instances, the API and the webhook processor) cannot move a payment backwards: an update
 * applies only if it is newer (`event.created`), or equally new but later
 * in the flow, or terminal; a terminal payment never changes again.
 */
@Injectable()
export class PaymentStateStore {
  private readonly logger = new Logger(PaymentStateStore.name);
  private readonly dialect: SqlDialect;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
    private readonly transactions: TransactionRunner,
    private readonly durableEvents: DurableEvents,
    @Optional() private readonly tracing?: Tracing,
  ) {
    this.dialect = new SqlDialect(dataSource);
  }

  /**
   * Applies `update` if it moves the payment forward. The status, its history
   * row and the durable reactions to it (`@OnDurableEvent`, e.g. the receipt)
   * commit together; the in-process domain event follows the commit (the
   * caller's, when it runs this inside its own `TransactionRunner.run`). True when applied.
   * With tracing on it is a `payment.update` span, the parent of the reactions it records.
   */
  async applyStatus(paymentId: string, update: StatusUpdate): Promise<boolean> {
    return this.traced(paymentId, update, undefined, (manager, rank) =>
      this.conditionalUpdate(manager, paymentId, update, rank),
    );
  }

  /**
   * Records an intent we have no row for (made in the Dashboard or by
   * another system) already at the status its event reports: the row, its
   * first history entry and the reactions commit together, as `applyStatus`
   * would have after a plain insert, for one statement instead of two.
   * `adopted`: the new payment's id. When the intent has a row already
   * (recorded by an earlier event), nothing is written; on PostgreSQL the
   * same statement returns that row's id as `existing` (`applyStatus` on it
   * then applies). `existing` is undefined on SQLite, and when the row was
   * committed while the statement ran: the caller reads it then.
   */
  async adoptIntent(intent: IntentReference, update: StatusUpdate): Promise<Adoption> {
    const paymentId = uuidv7();
    const payload = statusPayload(paymentId, update.status, {
      status_version: 1,
      owner_id: null,
      stripe_id: intent.id,
      amount: intent.amount,
      currency: intent.currency,
      customer_email: intent.receiptEmail,
      description: intent.description,
    });
    let existing: string | undefined;
    const adopted = await this.traced(paymentId, update, payload, async (manager, rank) => {
      const row = await this.insertAt(manager, paymentId, intent, update, rank);
      if (row?.adopted === false) {
        existing = row.id;
        return undefined;
      }
      return row;
    });
    return adopted ? { adopted: paymentId } : { existing };
  }

  /** With tracing on, `change` is a `payment.update` span. */
  private traced(
    paymentId: string,
    update: StatusUpdate,
    expected: PaymentStatusEventPayload | undefined,
    write: StatusWrite,
  ): Promise<boolean> {
    if (this.tracing === undefined) return this.change(paymentId, update, expected, write);
    return this.tracing.inSpan(
      'payment.update',
      {
        'portico.payment.id': paymentId,
        'portico.payment.status': update.status,
        'portico.payment.source': update.source,
      },
      () => this.change(paymentId, update, expected, write),
      (applied) => ({ 'portico.payment.applied': applied }),
    );
  }

  /**
   * Runs `write` (the status change) with its history row and reactions in
   * one transaction; true when it changed a row. `expected`: the event
   * payload when it is known before the write (a new row), so whether a
   * reaction will be recorded is known too.
   */
  private async change(
    paymentId: string,
    update: StatusUpdate,
    expected: PaymentStatusEventPayload | undefined,
    write: StatusWrite,
  ): Promise<boolean> {
    const rank = statusRank(update.status);
    const name = STATUS_EVENTS[update.status];
    const publishes =
      name !== undefined &&
      (expected === undefined ? this.durableEvents.hasConsumers(name) : this.durableEvents.wants(name, expected));
    let recorded = 0;
    const work = async (manager: EntityManager): Promise<PaymentStatusEventPayload | undefined> => {
      const row = await write(manager, rank);
      if (row === undefined) return undefined;
      const version = Number(row.status_version);
      if (!this.dialect.postgres) await this.recordChange(manager, paymentId, update, version);
      const payload = statusPayload(paymentId, update.status, row);
      if (publishes) recorded = await this.durableEvents.publish(manager, name, `${paymentId}:${version}`, payload);
      return payload;
    };
    // On PostgreSQL a change with no reaction to record is one statement (the history rides in its CTE): it needs
    // no transaction around it, which would cost two more round trips (BEGIN, COMMIT).
    const applied =
      this.dialect.postgres && !publishes ? await this.transactions.write(work) : await this.transactions.run(work);
    if (applied === undefined) return false;
    // After the outermost commit: the caller may have made this change part of a larger transaction.
    if (name !== undefined)
      this.transactions.afterCommit(() => {
        // Only when there is something to deliver: each kick costs the queue a claim.
        if (recorded > 0) this.durableEvents.kick();
        this.emit(name, applied);
      });
    return true;
  }

  /**
   * The one forward-only UPDATE; returns the new `status_version`, or
   * undefined when the update would move the payment backwards (or it is final).
   */
  private async conditionalUpdate(
    manager: EntityManager,
    paymentId: string,
    update: StatusUpdate,
    rank: number,
  ): Promise<UpdatedPayment | undefined> {
    const params: unknown[] = [];
    const v = placeholders(params);
    const received = update.amountReceived ?? 0;
    let sql =
      `UPDATE payments SET status = ${v(update.status)}, status_rank = ${v(rank)}, status_version = status_version + 1, ` +
      `last_event_created = CASE WHEN last_event_created IS NULL OR last_event_created < ${v(update.at)} THEN ${v(update.at)} ELSE last_event_created END, ` +
      `amount_received = CASE WHEN amount_received < ${v(received)} THEN ${v(received)} ELSE amount_received END, updated_at = CURRENT_TIMESTAMP ` +
      `WHERE id = ${v(paymentId)} AND status_rank < ${v(TERMINAL_RANK)}`;
    if (rank !== TERMINAL_RANK) {
      sql += ` AND (last_event_created IS NULL OR last_event_created < ${v(update.at)} OR (last_event_created = ${v(update.at)} AND status_rank < ${v(rank)}))`;
    }
    return this.written(manager, `${sql} RETURNING ${RETURNED}`, params, v, paymentId, update);
  }

  /**
   * The INSERT of an adopted intent at version 1; when its Stripe id has a
   * row already, on PostgreSQL that row (`adopted: false`), else undefined.
   */
  private async insertAt(
    manager: EntityManager,
    paymentId: string,
    intent: IntentReference,
    update: StatusUpdate,
    rank: number,
  ): Promise<(UpdatedPayment & { readonly adopted?: boolean; readonly id?: string }) | undefined> {
    const params: unknown[] = [];
    const v = placeholders(params);
    const sql =
      'INSERT INTO payments (id, owner_id, stripe_id, amount, currency, status, status_rank, status_version, last_event_created, ' +
      'amount_received, amount_refunded, description, customer_email, capture_method, metadata) VALUES (' +
      [
        v(paymentId),
        v(null),
        v(intent.id),
        v(intent.amount),
        v(intent.currency),
        v(update.status),
        v(rank),
        v(1),
        v(update.at),
        v(Math.max(0, update.amountReceived ?? 0)),
        v(0),
        v(intent.description),
        v(intent.receiptEmail),
        v(intent.captureMethod),
        v(JSON.stringify(intent.metadata)),
      ].join(', ') +
      `) ON CONFLICT (stripe_id) DO NOTHING RETURNING ${RETURNED}`;
    // SQLite has no round trip to save: there the caller reads the row that made the INSERT yield.
    if (!this.dialect.postgres) return this.written(manager, sql, params, v, paymentId, update);
    // The row that made the INSERT yield, read by the same statement (it sees rows committed before it began;
    // one committed since is not found here, and the caller reads it).
    // (A function: its placeholder must be numbered after the history's.)
    const existing = (): string =>
      `SELECT FALSE AS adopted, id, ${RETURNED} FROM payments ` +
      `WHERE stripe_id = ${v(intent.id)} AND NOT EXISTS (SELECT 1 FROM updated)`;
    return this.written(manager, sql, params, v, paymentId, update, `TRUE AS adopted, NULL AS id, `, existing);
  }

  /**
   * Runs a status write. On PostgreSQL its history row is written by the
   * same statement (a data-modifying CTE): one round trip per state change,
   * where each costs more CPU than the SQL. SQLite has no such CTE and no
   * round trips; there `recordChange` follows.
   */
  private async written(
    manager: EntityManager,
    sql: string,
    params: unknown[],
    v: (value: unknown) => string,
    paymentId: string,
    update: StatusUpdate,
    extraColumns = '',
    orElse?: () => string,
  ): Promise<UpdatedPayment | undefined> {
    if (this.dialect.postgres) {
      sql =
        `WITH updated AS (${sql}), history AS (` +
        `INSERT INTO payment_status_changes (id, payment_id, version, status, source, event_id, occurred_at) ` +
        `SELECT ${v(uuidv7())}, ${v(paymentId)}, status_version, ${v(update.status)}, ${v(update.source)}, ${v(update.eventId ?? null)}, ${v(new Date(update.at * 1000))} FROM updated) ` +
        `SELECT ${extraColumns}* FROM updated${orElse === undefined ? '' : ` UNION ALL ${orElse()}`}`;
    }
    const result = await this.dialect.execute(manager, sql, params);
    const rows = result.records as UpdatedPayment[];
    return rows.length === 1 ? rows[0] : undefined;
  }

  /** Raises `amount_received` without touching the status (e.g. an older event that still carries a capture). */
  async raiseAmountReceived(paymentId: string, amountReceived: number): Promise<void> {
    await this.transactions.write((manager) =>
      manager
        .createQueryBuilder()
        .update(PaymentEntity)
        .set({ amountReceived })
        .where('id = :id AND amount_received < :amountReceived', { id: paymentId, amountReceived })
        .execute(),
    );
  }

  /** Raises `amount_refunded` to `amountRefunded` (never lowers it); emits `payment.refunded` when it rose. */
  async raiseAmountRefunded(paymentId: string, amountRefunded: number): Promise<boolean> {
    const result = await this.transactions.write((manager) =>
      manager
        .createQueryBuilder()
        .update(PaymentEntity)
        .set({ amountRefunded })
        .where('id = :id AND amount_refunded < :amountRefunded', { id: paymentId, amountRefunded })
        .execute(),
    );
    if (result.affected !== 1) return false;
    const payment = await this.dataSource.getRepository(PaymentEntity).findOneBy({ id: paymentId });
    if (payment) {
      const payload: PaymentRefundedEventPayload = {
        paymentId: payment.id,
        stripeId: payment.stripeId,
        ownerId: payment.ownerId,
        amount: payment.amount,
        // What this update set: a concurrent raise may already show in the row.
        amountRefunded,
        currency: payment.currency,
        // amount_received is unknown (0) when the refund was the first event we saw of the payment.
        fullyRefunded: amountRefunded >= (payment.amountReceived > 0 ? payment.amountReceived : payment.amount),
      };
      this.emit(PaymentDomainEvent.refunded, payload);
    }
    return true;
  }

  /** Moves a refund forward (see `refundRank`); false when it is already there or further (or unknown). */
  async applyRefundStatus(refundId: string, status: string, stripeId?: string): Promise<boolean> {
    const result = await this.transactions.write((manager) =>
      manager
        .createQueryBuilder()
        .update(RefundEntity)
        .set({ status, ...(stripeId === undefined ? {} : { stripeId }) })
        .where('id = :id', { id: refundId })
        .andWhere('status IN (:...from)', { from: refundStatusesBelow(refundRank(status)) })
        .execute(),
    );
    return result.affected === 1;
  }

  /** Sum of refunds that count against the captured amount (not failed or canceled). */
  async committedRefunds(paymentId: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    const row = await manager
      .createQueryBuilder(RefundEntity, 'r')
      .select('COALESCE(SUM(r.amount), 0)', 'total')
      .where('r.payment_id = :paymentId', { paymentId })
      .andWhere("r.status NOT IN ('failed', 'canceled')")
      .getRawOne<{ total: string | number }>();
    return Number(row?.total ?? 0);
  }

  /** Refunds Stripe reports as done or under way: the figure `amount_refunded` may rise to. */
  async settledRefunds(paymentId: string): Promise<number> {
    const row = await this.dataSource
      .createQueryBuilder(RefundEntity, 'r')
      .select('COALESCE(SUM(r.amount), 0)', 'total')
      .where('r.payment_id = :paymentId', { paymentId })
      .andWhere("r.status IN ('succeeded', 'pending')")
      .getRawOne<{ total: string | number }>();
    return Number(row?.total ?? 0);
  }

  private async recordChange(
    manager: EntityManager,
    paymentId: string,
    update: StatusUpdate,
    version: number,
  ): Promise<void> {
    await sqlFor(
      this.dataSource,
      manager,
    )`INSERT INTO payment_status_changes (id, payment_id, version, status, source, event_id, occurred_at)
      VALUES (${uuidv7()}, ${paymentId}, ${version}, ${update.status}, ${update.source}, ${update.eventId ?? null}, ${new Date(update.at * 1000)})`;
  }

  /**
   * The state change is committed before listeners run; a listener's failure
   * is logged, not retried: reactions that must happen are `@OnDurableEvent` consumers.
   */
  private emit(name: string, payload: object): void {
    try {
      this.events.emit(name, payload);
    } catch (error) {
      this.logger.error({ err: error, event: name }, `A listener of ${name} failed`);
    }
  }
}

function statusPayload(paymentId: string, status: PaymentStatus, row: UpdatedPayment): PaymentStatusEventPayload {
  return {
    paymentId,
    stripeId: row.stripe_id,
    ownerId: row.owner_id,
    status,
    amount: Number(row.amount),
    currency: row.currency,
    customerEmail: row.customer_email,
    description: row.description,
  };
}
