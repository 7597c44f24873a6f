import { deleteJson, getJson, HttpError, postJson, type ClientOptions } from '#client';
import type {
  EventsPage,
  Project,
  ProjectListItem,
  Snapshot,
  StartBuildResponse,
  SubscriptionToken,
  ToolCallDetail,
  TranscriptFormat,
  WhoAmI,
} from '#contracts';
import { markSignedOut } from '../session/session-store.js';

declare global {
  interface Window {
    /** Set before the app loads (by an embedding page or a test) to tune the client SDK. */
    buildcastClientOptions?: ClientOptions;
  }
}

/**
 * The SDK options the app uses. A person watching should not wait ~90 s of backoff for
 * updates while the gateway is down, so the app polls over REST after 3 failed socket
 * attempts (the SDK's default is 10); the socket keeps retrying in the background. Sockets
 * authenticate with short-lived subscription tokens the sign-in cookie mints, renewed in
 * place before they expire.
 */
export function clientOptions(): ClientOptions {
  return {
    failuresBeforePolling: 3,
    getToken: ({ projectId, sessionId }) => api.mintToken(projectId, sessionId),
    ...window.buildcastClientOptions,
  };
}

const apiUrl = () => `${window.location.origin}/api`;
const projectUrl = (projectId: string) => `${apiUrl()}/projects/${encodeURIComponent(projectId)}`;
const pageQuery = ({ limit, before }: { limit: number; before?: string }) =>
  new URLSearchParams({ limit: String(limit), ...(before ? { before } : {}) }).toString();
const buildUrl = (projectId: string, sessionId: string) =>
  `${projectUrl(projectId)}/builds/${encodeURIComponent(sessionId)}`;

/**
 * Same-origin fetch: the browser sends the HttpOnly sign-in cookie (and, on unsafe methods,
 * the Origin the API checks). A 401 means the sign-in is gone: every page learns it.
 * Called through a wrapper so `fetch` is never invoked on another object (Illegal invocation).
 */
const fetchJson: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.status === 401) markSignedOut();
  return response;
};
const plainFetch: typeof fetch = (input, init) => fetch(input, init);

export type StartBuildRequest =
  | { agent: 'demo'; eventIntervalMs?: number }
  | { agent: 'replay'; format: TranscriptFormat; transcript: string; eventIntervalMs?: number };

export const api = {
  /** A page of projects, newest first, each with its newest build (`before`: the last id of the page before). */
  listProjects: (page: { limit: number; before?: string }) =>
    getJson<ProjectListItem[]>(fetchJson, `${apiUrl()}/projects?${pageQuery(page)}`),
  getProject: (projectId: string) => getJson<Project>(fetchJson, projectUrl(projectId)),
  createProject: (name: string) => postJson<Project>(fetchJson, `${apiUrl()}/projects`, { name }),
  startBuild: (projectId: string, request: StartBuildRequest) =>
    postJson<StartBuildResponse>(fetchJson, `${projectUrl(projectId)}/builds`, request),
  /** A new build with the stored request of this one (agent, transcript, pacing, prompt, model). */
  runAgain: (projectId: string, sessionId: string) =>
    postJson<StartBuildResponse>(fetchJson, `${buildUrl(projectId, sessionId)}/run-again`, {}),
  cancelBuild: (projectId: string, sessionId: string) =>
    postJson<unknown>(fetchJson, `${buildUrl(projectId, sessionId)}/cancel`, {}),
  getBuild: (projectId: string, sessionId: string) =>
    getJson<Snapshot>(fetchJson, buildUrl(projectId, sessionId)),
  getToolCall: (projectId: string, sessionId: string, toolCallId: string) =>
    getJson<ToolCallDetail>(
      fetchJson,
      `${buildUrl(projectId, sessionId)}/tool-calls/${encodeURIComponent(toolCallId)}`,
    ),
  /** Events after `after` in seq order (one page of the build's log). */
  getEvents: (projectId: string, sessionId: string, after: number, limit: number) =>
    getJson<EventsPage>(fetchJson, `${buildUrl(projectId, sessionId)}/events?after=${after}&limit=${limit}`),
  /** A subscription token for a project's room or one build's (the cookie authenticates). */
  mintToken: (projectId: string, sessionId?: string) =>
    postJson<SubscriptionToken>(
      fetchJson,
      `${projectUrl(projectId)}/tokens`,
      sessionId === undefined ? {} : { sessionId },
    ),
  whoAmI: () => getJson<WhoAmI>(plainFetch, `${apiUrl()}/session`),
  /** Trades a key for the HttpOnly cookie; a bad key's 401 is the form's error, not a sign-out. */
  signIn: (key: string) => postJson<void>(plainFetch, `${apiUrl()}/session`, { key }),
  signOut: () => deleteJson<void>(plainFetch, `${apiUrl()}/session`),
};

/** A short message for a failed request (the SDK's HttpError carries the server's words). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The request failed for want of a sign-in. */
export function isSignedOutError(error: unknown): boolean {
  return error instanceof HttpError && error.status === 401;
}

/** The project or build asked for does not exist. */
export function isNotFoundError(error: unknown): boolean {
  return error instanceof HttpError && error.status === 404;
}
