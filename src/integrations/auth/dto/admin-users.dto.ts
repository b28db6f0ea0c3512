import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { SCOPES, type Scope } from '../../../core/security/scopes';

export class ListUsersQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @IsOptional()
  @IsUUID()
  cursor?: string;
}

export class UserIdParam {
  @IsUUID(undefined, { message: 'id must be a user id (UUID)' })
  id!: string;
}

export class AdminUserDto {
  @ApiProperty() id!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty() emailVerified!: boolean;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ enum: SCOPES, isArray: true, description: 'What the user may do when signed in' }) scopes!: Scope[];
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Set when an admin disabled the user' })
  disabledAt!: string | null;
}

export class AdminUserPageDto {
  @ApiProperty({ type: [AdminUserDto] }) items!: AdminUserDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor!: string | null;
}
