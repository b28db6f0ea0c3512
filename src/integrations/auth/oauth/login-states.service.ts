import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { LoginStateEntity } from '../entities/login-state.entity';

/**
 * Pending login `state` values, in the database so that a state used on one
 * instance is refused on every other instance too. Only hashes are stored.
 */
@Injectable()
export class LoginStatesService {
  constructor(@InjectRepository(LoginStateEntity) private readonly states: Repository<LoginStateEntity>) {}

  /** Records a state just sent to a provider (and forgets expired ones). */
  async issue(state: string, expiresAt: Date): Promise<void> {
    await this.states.delete({ expiresAt: LessThan(new Date()) });
    await this.states.insert({ stateHash: hash(state), createdAt: new Date(), expiresAt });
  }

  /** Uses a state up; false when it was used before (or never issued). */
  async consume(state: string): Promise<boolean> {
    // Of concurrent callbacks with one state, exactly one delete removes the row.
    const result = await this.states.delete({ stateHash: hash(state) });
    return result.affected === 1;
  }
}

function hash(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}
