// The WebSocket protocol of /ws as an AsyncAPI 3 document (served at /api/docs/ws). The schema
// maps are typed by the contract's own message and event maps, so adding a message type
// without describing it fails the type check; test/gateway/asyncapi.test.ts validates real
// frames from a running gateway against these schemas.
import { BUILD_EVENT_TYPES, FINISHED_STATUSES, SESSION_STATUSES, TODO_STATUSES } from '../events.js';
import type { BuildEventType } from '../events.js';
import { CloseCode, type ClientMessage, type ServerMessageMap } from '../messages.js';

export type JsonSchema = Record<string, unknown>;

const string = { type: 'string' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;
const seq = { type: 'integer', minimum: 0 } as const;

/** An object whose listed properties are required unless named in `optional`. */
function object(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    additionalProperties: false,
  };
}

const progress = object({
  completed: { type: 'integer', minimum: 0 },
  total: { type: 'integer', minimum: 0 },
  percent: { type: 'integer', minimum: 0, maximum: 100 },
});

/** `data` of each event type (docs/contract.md, "Event shape"). */
export const EVENT_DATA_SCHEMAS: { [T in BuildEventType]: JsonSchema } = {
  'session.started': object(
    { agentId: string, model: nullableString, projectName: string, prompt: nullableString },
    ['prompt'],
  ),
  'todos.updated': object({
    todos: {
      type: 'array',
      items: object({ content: string, activeForm: string, status: { enum: [...TODO_STATUSES] } }),
    },
  }),
  'tool.started': object(
    {
      toolCallId: string,
      name: string,
      input: {},
      todoIndex: { type: ['integer', 'null'], minimum: 0 },
      parentToolCallId: nullableString,
    },
    ['parentToolCallId'],
  ),
  'tool.finished': object(
    {
      toolCallId: string,
      output: string,
      isError: { type: 'boolean' },
      outputTruncated: { type: 'boolean' },
    },
    ['outputTruncated'],
  ),
  message: object({ role: { const: 'assistant' }, text: string }),
  'session.finished': object(
    {
      status: { enum: [...FINISHED_STATUSES] },
      error: nullableString,
      usage: { type: ['object', 'null'] },
    },
    ['error', 'usage'],
  ),
};

/** A committed event: one schema per type, chosen by `type`. */
export const BUILD_EVENT_SCHEMA: JsonSchema = {
  oneOf: BUILD_EVENT_TYPES.map((type) =>
    object({
      seq: { type: 'integer', minimum: 1 },
      type: { const: type },
      at: dateTime,
      data: EVENT_DATA_SCHEMAS[type],
    }),
  ),
};

/** Server → client frames, by `type`. */
export const SERVER_MESSAGE_SCHEMAS: { [T in keyof ServerMessageMap]: JsonSchema } = {
  subscribed: object(
    {
      type: { const: 'subscribed' },
      projectId: uuid,
      sessionId: uuid,
      seq,
      heartbeatMs: { type: 'integer' },
    },
    ['sessionId'],
  ),
  events: object({
    type: { const: 'events' },
    projectId: uuid,
    sessionId: uuid,
    fromSeq: { type: 'integer', minimum: 1 },
    toSeq: { type: 'integer', minimum: 1 },
    events: { type: 'array', items: BUILD_EVENT_SCHEMA },
  }),
  session: object({
    type: { const: 'session' },
    projectId: uuid,
    sessionId: uuid,
    status: { enum: [...SESSION_STATUSES] },
    progress,
    agentId: string,
    model: nullableString,
    projectName: string,
    seq,
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    endedAt: { type: ['string', 'null'], format: 'date-time' },
  }),
  resync: object({ type: { const: 'resync' }, projectId: uuid, sessionId: uuid, reason: string }),
  heartbeat: object({ type: { const: 'heartbeat' }, at: dateTime, intervalMs: { type: 'integer' } }),
  pong: object({ type: { const: 'pong' } }),
  unsubscribed: object({ type: { const: 'unsubscribed' }, projectId: uuid, sessionId: uuid }, ['sessionId']),
  authenticated: object({
    type: { const: 'authenticated' },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  }),
  error: object(
    {
      type: { const: 'error' },
      code: { enum: ['not_found', 'bad_request', 'forbidden', 'unavailable'] },
      message: string,
      projectId: string,
      sessionId: string,
    },
    ['projectId', 'sessionId'],
  ),
};

/** Client → server frames, by `type`. */
export const CLIENT_MESSAGE_SCHEMAS: { [T in ClientMessage['type']]: JsonSchema } = {
  subscribe: object({ type: { const: 'subscribe' }, projectId: uuid, sessionId: uuid, since: seq }, [
    'sessionId',
    'since',
  ]),
  unsubscribe: object({ type: { const: 'unsubscribe' }, projectId: uuid, sessionId: uuid }, ['sessionId']),
  ping: object({ type: { const: 'ping' } }),
  auth: object({ type: { const: 'auth' }, token: { type: 'string', minLength: 1, maxLength: 4096 } }),
};

const SERVER_MESSAGE_SUMMARIES: { [T in keyof ServerMessageMap]: string } = {
  subscribed: 'Now in the room; `seq` is the latest committed seq of the session (0 for a project room).',
  events:
    'A coalesced batch covering every seq of fromSeq..toSeq; superseded events may be left out, applying the batch gives the same state.',
  session: 'Project-room summary of one session, sent on any status or progress change.',
  resync: 'Fetch a fresh snapshot and subscribe again with its seq.',
  heartbeat:
    'Sent every `intervalMs`; a client that hears nothing for two intervals treats the server as gone.',
  pong: 'The answer to `ping`.',
  unsubscribed: 'Confirms an `unsubscribe`.',
  authenticated: 'The credential was accepted; `expiresAt` is when it stops working (null: until revoked).',
  error: 'A refused request; the socket stays open.',
};

const CLIENT_MESSAGE_SUMMARIES: { [T in ClientMessage['type']]: string } = {
  subscribe:
    'Join a project room, or a session room with `sessionId`; with `since`, every event after it first.',
  unsubscribe: 'Leave the room.',
  ping: 'Answered by `pong`.',
  auth: 'Authenticate the socket (first message within 5 s) or renew its credential.',
};

/** What each close code means (docs/contract.md, "WebSocket" and "Identity and access"). */
export const CLOSE_CODE_MEANINGS: Record<(typeof CloseCode)[keyof typeof CloseCode], string> = {
  [CloseCode.normal]: 'normal closure',
  [CloseCode.goingAway]: 'going away',
  [CloseCode.serviceRestart]: 'service restart: reconnect now (elsewhere) and resume with `since`',
  [CloseCode.tryAgainLater]: 'the gateway could not check the credential (Postgres away): reconnect shortly',
  [CloseCode.badRequest]: 'bad request: a frame that is not JSON, not an object, or of an unknown type',
  [CloseCode.unauthorized]: 'no credential, a bad one, or one that expired or was revoked',
  [CloseCode.forbidden]: 'a connect-URL subscription outside the credential',
  [CloseCode.heartbeatTimeout]: 'heartbeat timeout: the client stayed silent for two intervals',
  [CloseCode.messageTooLarge]: 'a frame larger than the limit',
  [CloseCode.rateLimited]: 'too many messages',
};

function messages(
  schemas: Record<string, JsonSchema>,
  summaries: Record<string, string>,
): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.keys(schemas).map((type) => [
      type,
      { name: type, contentType: 'application/json', summary: summaries[type], payload: schemas[type] },
    ]),
  );
}

/** The AsyncAPI 3.0 document; `host` is where browsers reach the gateway (PUBLIC_URL's host). */
export function asyncApiDocument(host: string, secure: boolean): JsonSchema {
  const messageRefs = (types: string[]) => types.map((type) => ({ $ref: `#/channels/ws/messages/${type}` }));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Buildcast live updates',
      version: '2',
      description:
        'Text frames of JSON over one WebSocket; one socket may hold many subscriptions. ' +
        'Every event of a session has a gap-free `seq`; subscribe with `since` to resume with no gap and no duplicate.',
    },
    defaultContentType: 'application/json',
    servers: {
      gateway: { host, protocol: secure ? 'wss' : 'ws', pathname: '/ws' },
    },
    channels: {
      ws: {
        address: '/ws',
        title: 'The live-updates socket',
        description:
          'Subscribe at connect with `/ws?projectId=P&sessionId=S&since=N`, or by message. Authenticate with the ' +
          'session cookie, `Authorization: Bearer`, `?token=` or an `auth` message.',
        messages: {
          ...messages(SERVER_MESSAGE_SCHEMAS, SERVER_MESSAGE_SUMMARIES),
          ...messages(CLIENT_MESSAGE_SCHEMAS, CLIENT_MESSAGE_SUMMARIES),
        },
        bindings: {
          ws: {
            query: object(
              {
                projectId: uuid,
                sessionId: uuid,
                since: { type: 'string', pattern: '^[0-9]+$' },
                token: string,
              },
              ['projectId', 'sessionId', 'since', 'token'],
            ),
          },
        },
        'x-close-codes': CLOSE_CODE_MEANINGS,
      },
    },
    // The document describes the gateway: it sends the server's frames and receives the client's.
    operations: {
      sendServerMessages: {
        action: 'send',
        channel: { $ref: '#/channels/ws' },
        summary: 'Frames the gateway sends.',
        messages: messageRefs(Object.keys(SERVER_MESSAGE_SCHEMAS)),
      },
      receiveClientMessages: {
        action: 'receive',
        channel: { $ref: '#/channels/ws' },
        summary: 'Frames a client sends.',
        messages: messageRefs(Object.keys(CLIENT_MESSAGE_SCHEMAS)),
      },
    },
  };
}
