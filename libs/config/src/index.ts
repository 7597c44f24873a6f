export * from './app-config.js';
export * from './config.module.js';
export * from './executables.js';
export * from './agent-environment.js';
export * from './embedded-config.js';
