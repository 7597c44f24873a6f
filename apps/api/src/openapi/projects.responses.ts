import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { Project } from '#contracts';
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
