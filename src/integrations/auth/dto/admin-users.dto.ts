import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { PageOf, PageQuery } from '../../../core/http/pagination';
import { SCOPES, type Scope } from '../../../core/security/scopes';

export class ListUsersQuery extends PageQuery() {}

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

export class AdminUserPageDto extends PageOf(AdminUserDto) {}
