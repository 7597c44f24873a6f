import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '#config';
import type { WhoAmI } from '#contracts';
import { SignInDto } from '#contracts/dto';
import { IdentityService, readSessionCookie, SESSION_COOKIE } from '#identity';
import { Public } from './access.decorators.js';
import { CrossSiteCheck } from './cross-site-check.js';
import { RevocationNotices } from './revocation-notices.js';
import { ApiErrors, BODY_ERRORS } from '../openapi/api-errors.js';
import { WhoAmIResponse } from '../openapi/identity.responses.js';

/** The web app's sign-in: a key traded for an HttpOnly, SameSite=Strict cookie (contract v2). */
@ApiTags('session')
@Controller('session')
@Public()
@ApiErrors(429, 503)
export class SignInController {
  private readonly crossSite: CrossSiteCheck;
  private readonly secureCookie: boolean;

  constructor(
    private readonly identity: IdentityService,
    private readonly notices: RevocationNotices,
    config: AppConfig,
  ) {
    this.crossSite = new CrossSiteCheck(config);
    this.secureCookie = config.publicUrl.startsWith('https:');
  }

  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'signed in: Set-Cookie carries the HttpOnly session cookie' })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'the key is unknown, revoked or not a Buildcast API key'],
    [403, 'a foreign Origin (cross-site request)'],
  )
  async signIn(
    @Body() body: SignInDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    this.crossSite.refuseForeign(request.headers.origin);
    const signedIn = await this.identity.signIn(body.key);
    if (!signedIn) throw new UnauthorizedException('key: unknown, revoked or not a Buildcast API key');
    response.cookie(SESSION_COOKIE, signedIn.cookie, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.secureCookie,
      path: '/',
      expires: signedIn.expiresAt,
    });
  }

  /** Who the credential of this request belongs to; 401 when there is none. */
  @Get()
  @ApiOkResponse({ type: WhoAmIResponse })
  @ApiErrors([401, 'no credential, or one that is unknown, revoked or expired (signed out)'])
  async whoAmI(@Req() request: Request): Promise<WhoAmI> {
    const { principal } = await this.identity.fromHeaders(request.headers);
    if (!principal) throw new UnauthorizedException('Signed out');
    return {
      keyName: principal.keyName,
      keyPrefix: principal.keyPrefix,
      scopes: [...principal.scopes],
      projectId: principal.projectId,
      via: principal.via,
      expiresAt: principal.expiresAt?.toISOString() ?? null,
    };
  }

  /** Signs out: the web session ends (its sockets close) and the cookie is cleared. Always 204. */
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'signed out (also when not signed in): the cookie is cleared' })
  @ApiErrors([403, 'a foreign Origin (cross-site request)'])
  async signOut(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    this.crossSite.refuseForeign(request.headers.origin);
    const cookie = readSessionCookie(request.headers.cookie);
    const principal = cookie === undefined ? null : await this.identity.fromCookie(cookie);
    if (principal?.webSessionId) {
      await this.identity.signOut(principal.webSessionId);
      await this.notices.announce({ webSessionId: principal.webSessionId });
    }
    response.clearCookie(SESSION_COOKIE, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.secureCookie,
      path: '/',
    });
  }
}
