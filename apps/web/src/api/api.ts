import { getJson, postJson, type ClientOptions } from '#client';
import type { Project, Snapshot, StartBuildResponse, ToolCallDetail, TranscriptFormat } from '#contracts';

declare global {
  interface Window {
    /** Set before the app loads (by an embedding page or a test) to tune the client SDK. */
    buildcastClientOptions?: ClientOptions;
  }
}

/**
 * The SDK options the app uses. A person watching should not wait ~90 s of backoff for
 * updates while the gateway is down, so the app polls over REST after 3 failed socket
 * attempts (the SDK's default is 10); the socket keeps retrying in the background.
 */
export function clientOptions(): ClientOptions {
  return { failuresBeforePolling: 3, ...window.buildcastClientOptions };
}

const apiUrl = () => `${window.location.origin}/api`;
// Called through a wrapper so `fetch` is never invoked on another object (Illegal invocation).
const fetchJson: typeof fetch = (input, init) => fetch(input, init);

export type StartBuildRequest =
  | { agent: 'demo'; eventIntervalMs?: number }
  | { agent: 'replay'; format: TranscriptFormat; transcript: string; eventIntervalMs?: number };

export const api = {
  listProjects: () => getJson<Project[]>(fetchJson, `${apiUrl()}/projects`),
  getProject: (projectId: string) =>
    getJson<Project>(fetchJson, `${apiUrl()}/projects/${encodeURIComponent(projectId)}`),
  createProject: (name: string) => postJson<Project>(fetchJson, `${apiUrl()}/projects`, { name }),
  startBuild: (projectId: string, request: StartBuildRequest) =>
    postJson<StartBuildResponse>(
      fetchJson,
      `${apiUrl()}/projects/${encodeURIComponent(projectId)}/builds`,
      request,
    ),
  cancelBuild: (projectId: string, sessionId: string) =>
    postJson<unknown>(
      fetchJson,
      `${apiUrl()}/projects/${encodeURIComponent(projectId)}/builds/${encodeURIComponent(sessionId)}/cancel`,
      {},
    ),
  getBuild: (projectId: string, sessionId: string) =>
    getJson<Snapshot>(
      fetchJson,
      `${apiUrl()}/projects/${encodeURIComponent(projectId)}/builds/${encodeURIComponent(sessionId)}`,
    ),
  getToolCall: (projectId: string, sessionId: string, toolCallId: string) =>
    getJson<ToolCallDetail>(
      fetchJson,
      `${apiUrl()}/projects/${encodeURIComponent(projectId)}/builds/${encodeURIComponent(sessionId)}/tool-calls/${encodeURIComponent(toolCallId)}`,
    ),
};

/** A short message for a failed request (the SDK's HttpError carries the server's words). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
