import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CreateKeyDto, KeyParamsDto } from '#contracts/dto';
import { BuildReadModel } from '#persistence';
import { IdentityService, isScope, type ApiKeyView } from '#identity';
import { Requires } from './access.decorators.js';
import { RevocationNotices } from './revocation-notices.js';
import { ApiErrors, BODY_ERRORS, GUARDED_ERRORS } from '../openapi/api-errors.js';
import { ApiKeyResponse, CreatedApiKeyResponse } from '../openapi/identity.responses.js';

@ApiTags('keys')
@ApiBearerAuth()
@Controller('keys')
@Requires('admin')
@ApiErrors(...GUARDED_ERRORS)
export class KeysController {
  constructor(
    private readonly identity: IdentityService,
    private readonly readModel: BuildReadModel,
    private readonly notices: RevocationNotices,
  ) {}

  /** The key itself is in this answer only: it is stored as a hash. */
  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  @ApiErrors(...BODY_ERRORS)
  async create(@Body() body: CreateKeyDto): Promise<ApiKeyView & { key: string }> {
    // An admin key manages keys and projects, which no single project holds.
    if (body.projectId !== undefined && body.scopes.includes('admin')) {
      throw new BadRequestException([
        'scopes: admin cannot be restricted to a project; drop projectId or admin',
      ]);
    }
    if (body.projectId !== undefined && !(await this.readModel.getProject(body.projectId))) {
      throw new BadRequestException([`projectId: no project ${body.projectId}`]);
    }
    return this.identity.createKey({
      name: body.name,
      scopes: body.scopes.filter(isScope),
      projectId: body.projectId ?? null,
    });
  }

  @Get()
  @ApiOkResponse({ type: [ApiKeyResponse], description: 'newest first, revoked ones too' })
  list(): Promise<ApiKeyView[]> {
    return this.identity.listKeys();
  }

  /** Stops working at once: REST checks Postgres, and gateways close its sockets. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'revoked' })
  @ApiErrors(400, [404, 'no such key'])
  async revoke(@Param() { id }: KeyParamsDto): Promise<void> {
    if (!(await this.identity.revokeKey(id))) throw new NotFoundException(`Key ${id} not found`);
    await this.notices.announce({ keyId: id });
  }
}
