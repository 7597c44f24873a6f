// What another Nest app imports to mount the gateway (docs/embedding.md).
export { BuildcastGatewayModule } from './gateway.module.js';
export type { BuildcastGatewayOptions } from './embedding/gateway-options.js';
