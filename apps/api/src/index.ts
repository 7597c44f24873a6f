// What another Nest app imports to mount the API (docs/embedding.md).
export { BuildcastApiModule } from './app.module.js';
export type { BuildcastApiOptions } from './embedding/api-options.js';
