/** `json`: one object a line, for collectors; `pretty`: for people at a terminal. */
export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when given; else pretty when a person reads stdout (a terminal), JSON otherwise. */
export function chooseLogFormat(given: LogFormat | null | undefined, stdoutIsTerminal: boolean): LogFormat {
  return given ?? (stdoutIsTerminal ? 'pretty' : 'json');
}
