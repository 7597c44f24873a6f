// class-validator DTOs for every REST body and query (and the job payload). Kept apart
// from the plain types so a browser bundle importing `#contracts` never pulls them in.
export * from './projects.dto.js';
export * from './builds.dto.js';
export * from './ws.dto.js';
export * from './identity.dto.js';
