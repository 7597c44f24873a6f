import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectBuildcastDataSource } from '#persistence';
import { PresenceService, type ServiceName } from '../presence.js';
import { PostgresListener } from './postgres-listener.js';

const applicationName = (service: ServiceName) => `buildcast:${service}`;

/**
 * A process is alive while its LISTEN connection is open: the connection carries the
 * service's name as its application_name, and Postgres drops it when the process dies.
 * No heartbeat and no expiry to tune; counted per database, so stacks on one server
 * (tests) never see each other.
 */
@Injectable()
export class PostgresPresence extends PresenceService {
  constructor(
    private readonly listener: PostgresListener,
    @InjectBuildcastDataSource() private readonly dataSource: DataSource,
  ) {
    super();
  }

  announce(service: ServiceName): Promise<void> {
    return this.listener.setApplicationName(applicationName(service));
  }

  async instances(service: ServiceName): Promise<number> {
    const [row] = await this.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = $1`,
      [applicationName(service)],
    );
    return row.count;
  }
}
