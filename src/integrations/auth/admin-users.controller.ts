import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../core/errors/api-problem-responses.decorator';
import { mapPage } from '../../core/http/pagination';
import { RequireScopes } from '../../core/security/require-scopes.decorator';
import { AdminUserDto, AdminUserPageDto, ListUsersQuery, UserIdParam } from './dto/admin-users.dto';
import type { UserEntity } from './entities/user.entity';
import { SessionsService } from './sessions/sessions.service';
import { UserAccessPolicy } from './users/user-access.policy';
import { UsersService } from './users/users.service';

/** Operators: list users and disable one (their sessions end at once; they cannot sign in again). */
@ApiTags('admin')
@RequireScopes('admin')
@ApiProblemResponses(401, 403)
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly access: UserAccessPolicy,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Users, newest first' })
  @ApiOkResponse({ type: AdminUserPageDto })
  @ApiProblemResponses(400)
  async list(@Query() query: ListUsersQuery): Promise<AdminUserPageDto> {
    return mapPage(await this.users.page(query), (user) => this.toDto(user));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable a user: every session ends now and sign-in is refused (idempotent)' })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiProblemResponses(400, 404)
  async disable(@Param() params: UserIdParam): Promise<AdminUserDto> {
    const user = await this.users.disable(params.id);
    if (user === null) throw new NotFoundException(`There is no user ${params.id}`);
    await this.sessions.revokeAllOf(user.id, 'user_disabled');
    return this.toDto(user);
  }

  private toDto(user: UserEntity): AdminUserDto {
    return {
      id: user.id,
      email: user.email,
      emailVerified: user.emailVerified,
      name: user.name,
      scopes: this.access.scopesOf(user),
      createdAt: user.createdAt.toISOString(),
      disabledAt: user.disabledAt?.toISOString() ?? null,
    };
  }
}
