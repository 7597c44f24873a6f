import {
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AppConfig } from '#config';
import {
  allowedOrigins,
  decideAccess,
  IdentityService,
  isOriginAllowed,
  type Principal,
  type Scope,
} from '#identity';
import { IS_PUBLIC, REQUIRED_SCOPES } from './access.decorators.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every REST request: who is asking (Bearer key or token, else the web app's cookie), then
 * the contract's answer for the route's scopes and the project and session in its path.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly origins: ReadonlySet<string>;

  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
    config: AppConfig,
  ) {
    this.origins = allowedOrigins(config.publicUrl, config.corsOrigins, config.publicUrlIsSet);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request & { principal: Principal | null }>();
    const targets = [context.getHandler(), context.getClass()];
    // Public routes (health above all) must answer without touching Postgres.
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const { principal, presented } = await this.identity.fromHeaders(request.headers);
    request.principal = principal;

    // CSRF: a cookie rides along with any request the browser makes, so unsafe ones must come from our pages.
    if (
      principal?.via === 'cookie' &&
      !SAFE_METHODS.has(request.method) &&
      !isOriginAllowed(request.headers.origin, this.origins)
    ) {
      throw new ForbiddenException(
        `Cross-site request refused: Origin ${request.headers.origin} is not allowed`,
      );
    }

    const scopes = this.reflector.getAllAndOverride<Scope[]>(REQUIRED_SCOPES, targets) ?? ['admin'];
    const { projectId, sessionId } = request.params as { projectId?: string; sessionId?: string };
    switch (decideAccess(principal, { scopes, projectId, sessionId })) {
      case 'allow':
        return true;
      case 'unauthenticated':
        context
          .switchToHttp()
          .getResponse<Response>()
          .setHeader('WWW-Authenticate', 'Bearer realm="buildcast"');
        throw new UnauthorizedException(
          presented
            ? 'The credential is unknown, revoked or expired'
            : 'Authentication required: send an API key as Authorization: Bearer <key>, or sign in',
        );
      case 'not_found':
        throw new NotFoundException(
          sessionId === undefined
            ? `Project ${projectId} not found`
            : `Build ${sessionId} not found in project ${projectId}`,
        );
      case 'forbidden':
        throw new ForbiddenException(`This credential lacks the scope this needs: ${scopes.join(' or ')}`);
    }
  }
}
