export * from './start-tracing.js';
export * from './trace-carrier.js';
export * from './tracer.js';
