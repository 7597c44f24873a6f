export { freePort } from '#launch';

/**
 * The listeners besides an app's main port (the gateway's and the API's /metrics, the runner's
 * /health and /metrics) on any free port, so that tests running at once never clash on them.
 */
export const SIDE_PORTS = { METRICS_PORT: '0', API_METRICS_PORT: '0', RUNNER_PORT: '0' } as const;
