import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../../core/errors/api-problem-responses.decorator';
import { mapPage } from '../../../core/http/pagination';
import { CurrentPrincipal, type Principal, RequireScopes, ownerIdOf } from '../../../core/security';
import { isEmailAddress } from '../dto/email-validators';
import type { EmailSuppression } from '../entities/email-suppression.entity';
import { ProblemException } from '../../../core/errors/problem.exception';
import { SuppressionAdmin } from './suppression-admin.service';
import {
  CreateSuppressionDto,
  ListSuppressionsQuery,
  SuppressionPageView,
  SuppressionView,
  SuppressionsRemovedView,
} from './suppressions.dto';

/** Operators: the suppression ledger (list, add by hand, lift here and at SendGrid). */
@ApiTags('admin')
@RequireScopes('admin')
@Controller('admin/email-suppressions')
export class AdminSuppressionsController {
  constructor(private readonly suppressions: SuppressionAdmin) {}

  @Get()
  @ApiOperation({ summary: 'Suppressed addresses, newest first; filter by reason or address' })
  @ApiOkResponse({ type: SuppressionPageView })
  @ApiProblemResponses(400, 401, 403)
  async list(@Query() query: ListSuppressionsQuery): Promise<SuppressionPageView> {
    return mapPage(await this.suppressions.list(query), toView);
  }

  @Post()
  @ApiOperation({ summary: 'Suppress an address by hand (reason manual), globally or for one group' })
  @ApiCreatedResponse({ type: SuppressionView })
  @ApiProblemResponses(400, 401, 403)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateSuppressionDto): Promise<SuppressionView> {
    return toView(await this.suppressions.addManual(body.address, body.groupId ?? null, ownerIdOf(principal)));
  }

  @Delete(':address')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift every suppression of an address: at SendGrid (its suppression API), then here' })
  @ApiOkResponse({ type: SuppressionsRemovedView })
  @ApiProblemResponses(400, 401, 403, 404, 502, 503)
  async remove(@Param('address') address: string): Promise<SuppressionsRemovedView> {
    if (!isEmailAddress(address))
      throw new ProblemException(400, 'address must be an email address', {
        slug: 'invalid-address',
        title: 'Invalid address',
      });
    return { address: address.toLowerCase(), removed: await this.suppressions.lift(address) };
  }
}

function toView(row: EmailSuppression): SuppressionView {
  return {
    id: row.id,
    address: row.address,
    reason: row.reason,
    groupId: row.groupId,
    source: row.source,
    occurredAt: row.occurredAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}
