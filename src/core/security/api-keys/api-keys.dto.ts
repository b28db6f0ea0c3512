import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { PageOf, PageQuery } from '../../http/pagination';
import { SCOPES, type Scope } from '../scopes';

export class ApiKeyNameParam {
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'name must be 1-64 letters, digits, _ . or -' })
  name!: string;
}

export class ApiKeyDto {
  @ApiProperty({ example: 'billing' }) name!: string;
  @ApiProperty({ enum: SCOPES, isArray: true, example: ['payments:write', 'payments:manage'] }) scopes!: Scope[];
  @ApiProperty({ description: 'False for keys created without a scope list (every scope but admin)' })
  scopesListed!: boolean;
  @ApiProperty({ example: 'cli', description: '`cli` (npm run apikey:create) or `env` (API_KEYS)' }) source!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Updated at most once a minute per instance, not on every request',
  })
  lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
}

export class ListApiKeysQuery extends PageQuery() {}

export class ApiKeyPageDto extends PageOf(ApiKeyDto) {}
