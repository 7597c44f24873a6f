import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
/** The scopes of contract v2 (libs/identity scopes.ts holds their meaning). */
const SCOPE_NAMES = ['admin', 'builds:read', 'builds:write', 'agents:run'];

export class CreateKeyDto {
  @ApiProperty({ example: 'ci runner', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: SCOPE_NAMES, isArray: true, example: ['builds:read', 'builds:write'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPE_NAMES.length)
  @IsIn(SCOPE_NAMES, { each: true, message: `each value in scopes must be one of ${SCOPE_NAMES.join(', ')}` })
  scopes!: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'restrict the key to this project' })
  @IsOptional()
  @IsUUID('all')
  projectId?: string;
}

export class KeyParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  id!: string;
}

export class CreateTokenDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'restrict the token to this build' })
  @IsOptional()
  @IsUUID('all')
  sessionId?: string;
}

export class SignInDto {
  @ApiProperty({ description: 'an API key' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  key!: string;
}
