/** What the fuzzer sends: plain data, with `{{name}}` placeholders for the stack's ids (see REF). */
export type RestSurface =
  | 'POST /projects'
  | 'POST …/builds'
  | 'POST …/cancel'
  | 'GET …/events'
  | 'GET by id'
  | 'POST /keys'
  | 'POST …/tokens'
  | 'POST /session'
  | 'other method or path';

/** `outside /api`: a REST case whose path the URL rules moved out of /api (`/api/%2e%2e/x`). */
export type Surface = RestSurface | 'outside /api' | 'raw HTTP' | 'WS connect' | 'WS frame';

export type WsFrame =
  | { text: string }
  | { binary: Uint8Array }
  /** A text frame whose bytes are not UTF-8. */
  | { invalidUtf8: Uint8Array }
  /** `flood` pings at once. */
  | { flood: number };

export type FuzzCase =
  | {
      kind: 'rest';
      surface: RestSurface;
      method: string;
      /** Under /api, with any query. */
      path: string;
      headers: Record<string, string>;
      body: string | undefined;
    }
  /** Bytes written to a TCP socket as they are. */
  | { kind: 'raw'; surface: 'raw HTTP'; text: string }
  | {
      kind: 'ws';
      surface: 'WS';
      path: string;
      query: string;
      frames: WsFrame[];
      closeNormally: boolean;
      /** The upgrade's Authorization, Cookie and Origin headers, if any. */
      authorization: string | undefined;
      cookie: string | undefined;
      origin: string | undefined;
      /** Straight to the gateway, or through the API's `/ws` forwarding. */
      via: 'gateway' | 'api';
    };
