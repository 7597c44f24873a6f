// The wire contract (libs/contracts), reached by a relative path rather than `#contracts`:
// the packed @buildcast/client then carries its compiled copy beside the client, and
// nothing in it resolves through this repository's aliases (libs/client/README.md).
// Package users import it as `@buildcast/client/contracts`.
export * from '../../contracts/src/index.js';
