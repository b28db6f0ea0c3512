import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export class UserParams {
  /** GitHub's rule: letters, digits and single inner hyphens, at most 39 characters. */
  @ApiProperty({ example: 'octocat' })
  @Matches(/^(?=.{1,39}$)[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/, {
    message: 'username must be a GitHub username (letters, digits, single hyphens, at most 39)',
  })
  username!: string;
}

export class ListReposQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  page = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 30 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  perPage = 30;
}

export class RepositoryDto {
  @ApiProperty({ example: 1296269 }) id!: number;
  @ApiProperty({ example: 'Hello-World' }) name!: string;
  @ApiProperty({ example: 'octocat/Hello-World' }) fullName!: string;
  @ApiProperty({ nullable: true, type: String, example: 'My first repository' }) description!: string | null;
  @ApiProperty() private!: boolean;
  @ApiProperty({ example: 'https://github.com/octocat/Hello-World' }) url!: string;
  @ApiProperty({ nullable: true, type: String, example: 'TypeScript' }) language!: string | null;
  @ApiProperty({ example: 80 }) stars!: number;
  @ApiProperty({ example: 9 }) forks!: number;
  @ApiProperty({ example: '2026-11-01T12:00:00Z' }) updatedAt!: string;
}

export class RepositoryPageDto {
  @ApiProperty({ type: [RepositoryDto] }) items!: RepositoryDto[];
  @ApiProperty({ example: 1 }) page!: number;
  @ApiProperty({ example: 30 }) perPage!: number;
  @ApiProperty({ description: 'The page was full: there may be another' }) hasMore!: boolean;
}
