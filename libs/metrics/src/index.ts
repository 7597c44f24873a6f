export * from './app-metrics.js';
export * from './metrics-endpoint.js';
