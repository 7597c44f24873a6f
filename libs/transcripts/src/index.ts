// Agent transcripts → domain events: one parser per format, and the format's detection.
// Pure (no Node built-ins), so the API, the runner-worker, the CLI and the web app share it.
export * from './transcript-parser.js';
export * from './detect-format.js';
export { BuildcastNdjsonParser } from './buildcast-ndjson.parser.js';
export { isObject, MalformedLineError } from './base-parser.js';
