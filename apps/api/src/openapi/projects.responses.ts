import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { Project } from '#contracts';

@ApiSchema({ name: 'Project' })
export class ProjectResponse implements Project {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'checkout-service' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
