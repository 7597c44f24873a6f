import {
  applyDecorators,
  SetMetadata,
  UseFilters,
  UsePipes,
  ValidationPipe,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { DependencyUnavailableFilter } from '../errors/dependency-unavailable.filter.js';
import { TextInputPipe } from '../input/text-input.pipe.js';

const BUILDCAST_ROUTE = 'buildcast:route';

/**
 * What every API controller gets, on the controller rather than app-wide, so that an app
 * mounting BuildcastApiModule keeps its own routes as they are: the input pipes (NUL and lone
 * surrogates, then the DTOs' validation), the 503 for a dependency that went away, and the
 * mark the app-wide guards (rate limits, then authentication) look for before they act.
 */
export function asBuildcastRoutes(...controllers: Type[]): void {
  const equip = applyDecorators(
    SetMetadata(BUILDCAST_ROUTE, true),
    UsePipes(
      new TextInputPipe(),
      new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    ),
    UseFilters(DependencyUnavailableFilter),
  );
  for (const controller of controllers) equip(controller);
}

/** Whether a request goes to one of Buildcast's controllers (else the guards leave it to the host). */
export function isBuildcastRoute(reflector: Reflector, context: ExecutionContext): boolean {
  return context.getType() === 'http' && reflector.get<boolean>(BUILDCAST_ROUTE, context.getClass()) === true;
}
