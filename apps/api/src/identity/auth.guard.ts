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
import { decideAccess, IdentityService, type Principal, type Scope } from '#identity';
import { isBuildcastRoute } from '../embedding/buildcast-routes.js';
import { IS_PUBLIC, REQUIRED_SCOPES } from './access.decorators.js';
import { CrossSiteCheck } from './cross-site-check.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every REST request: who is asking (Bearer key or token, else the web app's cookie), then
 * the contract's answer for the route's scopes and the project and session in its path.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly crossSite: CrossSiteCheck;

  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
    config: AppConfig,
  ) {
    this.crossSite = new CrossSiteCheck(config);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!isBuildcastRoute(this.reflector, context)) return true; // a host app's own route
    const request = context.switchToHttp().getRequest<Request & { principal: Principal | null }>();
    const targets = [context.getHandler(), context.getClass()];
    // Public routes (health above all) must answer without touching Postgres.
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const { principal, presented } = await this.identity.fromHeaders(request.headers);
    request.principal = principal;

    // Only unsafe requests that the cookie authenticates can be forged cross-site.
    if (principal?.via === 'cookie' && !SAFE_METHODS.has(request.method)) {
      this.crossSite.refuseForeign(request.headers.origin);
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
