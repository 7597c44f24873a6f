// React hooks for the Buildcast client (`@buildcast/client/react`; react is an optional peer).
export { useBuild, useProject, type BuildSnapshot, type ProjectSnapshot } from './hooks.js';
export type { WatchSnapshot } from './watch-store.js';
