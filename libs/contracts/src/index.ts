export * from './events.js';
export * from './snapshot.js';
export * from './progress.js';
export * from './reducer.js';
export * from './messages.js';
export * from './jobs.js';
export * from './json-limits.js';
export * from './identity.js';
