/** The injection token of the module's GatewayRoutes (its ws path, allowed origins, health and metrics). */
export const GATEWAY_ROUTES = Symbol('GatewayRoutes');
