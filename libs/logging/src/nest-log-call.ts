/** A pino call: the line's fields, then its message. */
export interface PinoCall {
  fields: Record<string, unknown>;
  msg: string | undefined;
}

/** A stack trace as Nest passes it to `error(message, stack, context)`. */
const STACK = /\n\s+at /;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/**
 * Turns Nest's LoggerService arguments into a pino call, as Nest's ConsoleLogger reads them:
 * the last parameter is the context when it is a string that is not a stack; a stack goes in
 * `stack`; plain objects are fields (`logger.log('Build ended', { sessionId })`). The message
 * may be a string, an Error (logged as `err`) or an object of fields.
 */
export function toPinoCall(message: unknown, params: readonly unknown[]): PinoCall {
  const rest = [...params];
  const last = rest.at(-1);
  const fields: Record<string, unknown> = {};
  if (typeof last === 'string' && !STACK.test(last)) fields.context = rest.pop();
  const words: string[] = [];
  for (const param of rest) {
    if (param === undefined) continue; // Nest's `error(message, undefined, context)`
    if (typeof param === 'string' && STACK.test(param)) fields.stack = param;
    else if (isPlainObject(param)) Object.assign(fields, param);
    else words.push(describe(param));
  }
  let msg: string | undefined;
  if (message instanceof Error) {
    fields.err = message;
    msg = message.message;
  } else if (isPlainObject(message)) {
    Object.assign(fields, message);
  } else {
    msg = describe(message);
  }
  if (words.length > 0) msg = [msg, ...words].filter((word) => word !== undefined).join(' ');
  return { fields, msg };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
