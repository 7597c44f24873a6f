export * from './app-logger.js';
export * from './log-format.js';
export * from './request-logger.js';
