export * from './infrastructure-health.js';
export * from './health.module.js';
export * from './health.controller.js';
