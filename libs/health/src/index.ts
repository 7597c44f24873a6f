export * from './infrastructure-health.js';
export * from './health.module.js';
export * from './health.controller.js';
export { KEEP_ALIVE_TIMEOUT_MS, keepIdleSocketsOpen } from './keep-alive.js';
