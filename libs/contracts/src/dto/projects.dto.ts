import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';

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
