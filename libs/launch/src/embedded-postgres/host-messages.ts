/** What the process hosting the embedded Postgres tells the launcher (over Node's IPC). */
export type HostMessage =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'ready'; readonly url: string; readonly initialised: boolean }
  | { readonly type: 'failed'; readonly message: string };

/** What the launcher tells it. */
export type LauncherMessage = { readonly type: 'stop' };
