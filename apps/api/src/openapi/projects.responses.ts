import { ApiProperty, ApiSchema } from '@nestjs/swagger';
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
export class ProjectListItemResponse
  extends ProjectResponse
  implements Exactly<ProjectListItem, ProjectListItemResponse>
{
  @ApiProperty({
    type: () => SessionSummaryResponse,
    nullable: true,
    description: 'its newest build, if any',
  })
  latestBuild!: SessionSummaryResponse | null;
}
