import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DurableProcessor } from '../core/durable/durable.processor';
import type { DurableQueue } from '../core/durable/durable.types';
import { ApiProblemResponses } from '../core/errors/api-problem-responses.decorator';
import { ProblemException } from '../core/errors/problem.exception';
import { RequireScopes } from '../core/security/require-scopes.decorator';
import { DeadLetterListDto, DeadLetterParams, ListDeadLettersQuery, ReplayedDto } from './overview.dto';

/** Dead-lettered rows of every durable queue, with a payload preview, and their replay. */
@ApiTags('admin')
@RequireScopes('admin')
@ApiProblemResponses(401, 403)
@Controller('admin/dead-letters')
export class AdminDeadLettersController {
  constructor(private readonly processor: DurableProcessor) {}

  @Get()
  @ApiOperation({ summary: 'Dead rows, newest first (per queue at most `limit`), with a payload preview' })
  @ApiOkResponse({ type: DeadLetterListDto })
  @ApiProblemResponses(400, 404)
  async list(@Query() query: ListDeadLettersQuery): Promise<DeadLetterListDto> {
    const queues = query.queue === undefined ? this.processor.queues() : [this.queue(query.queue)];
    const limit = query.limit ?? 50;
    const lists = await Promise.all(
      queues.map(async (queue) =>
        (await queue.deadLetters(limit)).map((row) => ({
          queue: queue.name,
          id: row.id,
          attempts: row.attempts,
          lastError: row.lastError,
          createdAt: row.createdAt.toISOString(),
          deadAt: row.deadAt.toISOString(),
          preview: row.preview,
          replayPath: (queue.replayPath ?? `/admin/dead-letters/${queue.name}/{id}/replay`).replace('{id}', row.id),
        })),
      ),
    );
    return { items: lists.flat().sort((a, b) => b.deadAt.localeCompare(a.deadAt)) };
  }

  @Post(':queue/:id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Put a dead row back to pending (attempts reset); emails use their own retry route' })
  @ApiAcceptedResponse({ type: ReplayedDto })
  @ApiProblemResponses(400, 404, 409)
  async replay(@Param() params: DeadLetterParams): Promise<ReplayedDto> {
    const queue = this.queue(params.queue);
    if (queue.replayPath !== undefined) {
      const path = queue.replayPath.replace('{id}', params.id);
      throw new ProblemException(409, `Rows of ${queue.name} are replayed with POST ${path}`, {
        slug: 'replay-elsewhere',
        title: 'Replay through the queue’s own route',
        extensions: { replayPath: path },
      });
    }
    if (!(await queue.replay(params.id)))
      throw new ProblemException(404, `There is no dead or processed row ${params.id} in ${queue.name}`, {
        slug: 'not-found',
        title: 'Not Found',
      });
    return { queue: queue.name, id: params.id, status: 'pending' };
  }

  private queue(name: string): DurableQueue {
    const queue = this.processor.queues().find((q) => q.name === name);
    if (queue === undefined)
      throw new ProblemException(404, `There is no durable queue ${name}`, { slug: 'not-found', title: 'Not Found' });
    return queue;
  }
}
