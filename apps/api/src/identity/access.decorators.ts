import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Principal, Scope } from '#identity';

export const REQUIRED_SCOPES = 'buildcast:required-scopes';
export const IS_PUBLIC = 'buildcast:public';

/** The route needs a credential with any one of `scopes`. Routes without it need `admin`. */
export const Requires = (...scopes: Scope[]) => SetMetadata(REQUIRED_SCOPES, scopes);

/** The route answers without a credential (health, sign-in). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The checked credential of this request (the AuthGuard put it there). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
