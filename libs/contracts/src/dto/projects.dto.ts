import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class CreateProjectDto {
  @ApiProperty({ example: 'checkout-service', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}

export class ProjectParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  projectId!: string;
}

export class SessionParamsDto extends ProjectParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  sessionId!: string;
}

/** The largest page of a list (projects, builds); the default is LIST_PAGE_DEFAULT. */
export const LIST_PAGE_MAX = 200;
export const LIST_PAGE_DEFAULT = 50;

/**
 * A page of a newest-first list: at most `limit` rows, those after `before` (the id of the
 * last row of the previous page). A cursor, not an offset: rows added meanwhile at the top
 * do not shift the next page.
 */
export class ListPageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: LIST_PAGE_MAX, default: LIST_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(LIST_PAGE_MAX)
  limit: number = LIST_PAGE_DEFAULT;

  @ApiPropertyOptional({ format: 'uuid', description: 'the id of the last row of the previous page' })
  @IsOptional()
  @IsUUID('all')
  before?: string;
}

export class ListProjectsQueryDto extends ListPageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'only the projects of exactly this name' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;
}
