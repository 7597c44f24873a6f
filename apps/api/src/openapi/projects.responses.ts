import { ApiExtraModels, ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import type { Project, ProjectListItem } from '#contracts';
import { SessionSummaryResponse } from './builds.responses.js';
import type { Exactly } from './exactly.js';

@ApiSchema({ name: 'Project' })
export class ProjectResponse implements Exactly<Project, ProjectResponse> {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'checkout-service' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

@ApiSchema({ name: 'ProjectListItem' })
@ApiExtraModels(SessionSummaryResponse)
export class ProjectListItemResponse
  extends ProjectResponse
  implements Exactly<ProjectListItem, ProjectListItemResponse>
{
  // OpenAPI 3.0 ignores `nullable` beside a $ref: a second branch that admits only null.
  @ApiProperty({
    anyOf: [
      { $ref: getSchemaPath(SessionSummaryResponse) },
      { type: 'object', nullable: true, enum: [null] },
    ],
    description: 'its newest build, if any',
  })
  latestBuild!: SessionSummaryResponse | null;
}
