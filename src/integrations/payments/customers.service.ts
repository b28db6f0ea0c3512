import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { uuidv7 } from '../../core/database/ids';
import { sqlFor } from '../../core/database/sql-dialect';
import { TransactionRunner } from '../../core/database/transaction-runner';
import { CustomerEntity } from './entities/customer.entity';
import { InjectPaymentGateway, type PaymentGateway } from './payment-gateway.port';
import { outboundKey } from './payment-links';

/**
 * One Stripe customer per owner, created the first time it is needed. The
 * outbound key is derived from the owner, so concurrent first calls (two
 * instances, two tabs) get the same customer back from Stripe; the unique
 * owner column keeps one row.
 */
@Injectable()
export class CustomersService {
  constructor(
    @InjectRepository(CustomerEntity) private readonly customers: Repository<CustomerEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    @InjectPaymentGateway() private readonly gateway: PaymentGateway,
  ) {}

  /** The owner's customer, created at Stripe (and stored) on first call. */
  async forOwner(ownerId: string): Promise<CustomerEntity & { stripeId: string }> {
    const existing = await this.existing(ownerId);
    if (existing !== undefined) return existing;
    const created = await this.gateway.createCustomer({ ownerId, idempotencyKey: outboundKey.customer(ownerId) });
    await this.transactions.write(
      (manager) => sqlFor(this.dataSource, manager)`INSERT INTO billing_customers (id, owner_id, stripe_id)
        VALUES (${uuidv7()}, ${ownerId}, ${created.providerId}) ON CONFLICT (owner_id) DO NOTHING`,
    );
    const row = await this.existing(ownerId);
    if (row === undefined) throw new Error(`customer of ${ownerId} could not be stored`);
    return row;
  }

  /** The owner's customer when one was created already (no Stripe call). */
  async existing(ownerId: string): Promise<(CustomerEntity & { stripeId: string }) | undefined> {
    const row = await this.customers.findOneBy({ ownerId });
    return row?.stripeId == null ? undefined : (row as CustomerEntity & { stripeId: string });
  }

  /** Whose customer `cus_…` is; null for customers created outside Portico. */
  async ownerOf(stripeCustomerId: string | null): Promise<string | null> {
    if (stripeCustomerId === null) return null;
    const row = await this.customers.findOne({ where: { stripeId: stripeCustomerId }, select: { ownerId: true } });
    return row?.ownerId ?? null;
  }
}
