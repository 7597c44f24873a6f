import type { NextFunction, Request, Response } from 'express';
import type { ApiMetrics } from './api-metrics.js';
import { routeLabel } from './route-label.js';

/** Observes every request's duration once it is answered (or the client went away). */
export function requestMetrics(metrics: ApiMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const stop = metrics.requestDuration.startTimer();
    let observed = false;
    const observe = () => {
      if (observed) return;
      observed = true;
      stop({ method: request.method, route: routeLabel(request), status: String(response.statusCode) });
    };
    response.once('finish', observe);
    response.once('close', observe);
    next();
  };
}
