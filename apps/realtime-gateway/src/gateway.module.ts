import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { AppConfig, ConfigModule } from '#config';
import { BusModule } from '#bus';

@Controller()
class HealthController {
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

/**
 * Placeholder until the realtime-gateway issue: it runs, reports its presence for
 * /api/health/gateway, and answers /health. The WebSocket rooms arrive with that issue.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ConfigModule.forRoot(config), BusModule],
      controllers: [HealthController],
    };
  }
}
