import { randomUUID } from 'node:crypto';

export const SERVICE_NAMES = ['api', 'gateway', 'runner'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Lets health checks tell whether any instance of a service (a gateway, a runner) is alive,
 * wherever it runs: a short-lived Redis key per process, or its Postgres LISTEN connection.
 */
export abstract class PresenceService {
  /** This process, in keys and slot members that must not collide with other replicas'. */
  readonly instanceId = randomUUID();

  /**
   * Starts saying that this process runs `service`; resolves once the first attempt is done
   * (it may have failed: failures are retried by themselves).
   */
  abstract announce(service: ServiceName): Promise<void>;

  abstract instances(service: ServiceName): Promise<number>;
}
