import { Body, Controller, ForbiddenException, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { SubscriptionToken } from '#contracts';
import { CreateTokenDto, ProjectParamsDto } from '#contracts/dto';
import { BuildReadModel } from '#persistence';
import { IdentityService, type Principal } from '#identity';
import { CurrentPrincipal, Requires } from './access.decorators.js';
import { ApiErrors, BODY_ERRORS, GUARDED_ERRORS } from '../openapi/api-errors.js';
import { SubscriptionTokenResponse } from '../openapi/identity.responses.js';

/** Short-lived WebSocket subscription tokens for one project, or one build (contract v2). */
@ApiTags('tokens')
@ApiBearerAuth()
@Controller('projects/:projectId/tokens')
export class TokensController {
  constructor(
    private readonly identity: IdentityService,
    private readonly readModel: BuildReadModel,
  ) {}

  @Post()
  @Requires('builds:read')
  @ApiCreatedResponse({ type: SubscriptionTokenResponse })
  @ApiErrors(
    ...GUARDED_ERRORS,
    ...BODY_ERRORS,
    [403, 'the credential lacks builds:read, or is itself a subscription token'],
    [404, 'no such project, or no such build in it'],
  )
  async create(
    @Param() { projectId }: ProjectParamsDto,
    @Body() body: CreateTokenDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SubscriptionToken> {
    // A token is renewed by whoever holds the key or the sign-in, never by itself.
    if (principal.via === 'token')
      throw new ForbiddenException('A subscription token cannot mint tokens: use an API key');
    const found = body.sessionId
      ? await this.readModel.getSessionSummary(projectId, body.sessionId)
      : await this.readModel.getProject(projectId);
    if (!found) {
      throw new NotFoundException(
        body.sessionId
          ? `Build ${body.sessionId} not found in project ${projectId}`
          : `Project ${projectId} not found`,
      );
    }
    const { token, expiresAt } = await this.identity.mintToken(principal, {
      projectId,
      sessionId: body.sessionId,
    });
    return { token, expiresAt: expiresAt.toISOString() };
  }
}
