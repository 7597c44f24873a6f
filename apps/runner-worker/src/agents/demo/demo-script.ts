import { setTimeout as sleep } from 'node:timers/promises';
import type { NewBuildEvent, Todo } from '#contracts';

export type DemoStep = { delayMs: number; events: NewBuildEvent[] };

/** The whole demo lasts about this long at speed 1. */
const DEMO_DURATION_MS = 25_000;

const TODOS: Array<Pick<Todo, 'content' | 'activeForm'>> = [
  { content: 'Explore the checkout API and existing middleware', activeForm: 'Exploring the checkout API' },
  {
    content: 'Add rate-limit settings to the config',
    activeForm: 'Adding rate-limit settings to the config',
  },
  { content: 'Write the limiter middleware', activeForm: 'Writing the limiter middleware' },
  {
    content: 'Apply the limiter to the checkout routes',
    activeForm: 'Applying the limiter to the checkout routes',
  },
  { content: 'Add tests for the rate limiter', activeForm: 'Adding tests for the rate limiter' },
  { content: 'Run the test suite and fix failures', activeForm: 'Running the test suite' },
  { content: 'Document the new limits', activeForm: 'Documenting the new limits' },
];

/** Collects steps while tracking the todo list, so every todoIndex is the in-progress todo. */
class ScriptBuilder {
  readonly steps: DemoStep[] = [];
  private todos: Todo[] = TODOS.map((todo) => ({ ...todo, status: 'pending' }));
  private toolCount = 0;

  say(delayMs: number, text: string): void {
    this.steps.push({ delayMs, events: [{ type: 'message', data: { role: 'assistant', text } }] });
  }

  /** Completes the todo in progress (if any) and starts `index` (if given), as one list update. */
  advance(delayMs: number, index: number | null): void {
    this.todos = this.todos.map((todo, i) => {
      if (i === index) return { ...todo, status: 'in_progress' };
      return todo.status === 'in_progress' ? { ...todo, status: 'completed' } : todo;
    });
    const todos = this.todos.map((todo) => ({ ...todo }));
    this.steps.push({ delayMs, events: [{ type: 'todos.updated', data: { todos } }] });
  }

  /** A tool call: started after `thinkMs`, finished `runMs` later. */
  tool(name: string, input: unknown, output: string, runMs: number, thinkMs = 700, isError = false): void {
    const toolCallId = `demo-tool-${String(++this.toolCount).padStart(2, '0')}`;
    const active = this.todos.findIndex((todo) => todo.status === 'in_progress');
    const todoIndex = active === -1 ? null : active;
    this.steps.push({
      delayMs: thinkMs,
      events: [{ type: 'tool.started', data: { toolCallId, name, input, todoIndex } }],
    });
    this.steps.push({
      delayMs: runMs,
      events: [{ type: 'tool.finished', data: { toolCallId, output, isError } }],
    });
  }

  /** Stretches the hand-written pacing to the demo's length, keeping its rhythm. */
  scaled(totalMs: number): DemoStep[] {
    const raw = this.steps.reduce((sum, step) => sum + step.delayMs, 0);
    return this.steps.map((step) => ({ ...step, delayMs: Math.round((step.delayMs * totalMs) / raw) }));
  }
}

const CHECKOUT_ROUTER = `1\timport { Router } from 'express';
2\timport { requireAuth } from '../middleware/auth.js';
3\timport { validateBody } from '../middleware/validate.js';
4\timport { checkoutSchema } from '../schemas/checkout.js';
5\timport type { CheckoutService } from '../services/checkout-service.js';
6\t
7\texport function checkoutRouter(service: CheckoutService): Router {
8\t  const router = Router();
9\t
10\t  router.post('/', requireAuth, validateBody(checkoutSchema), async (req, res) => {
11\t    const order = await service.placeOrder(req.user!.id, req.body);
12\t    res.status(201).json(order);
13\t  });
14\t
15\t  router.get('/:orderId', requireAuth, async (req, res) => {
16\t    res.json(await service.getOrder(req.user!.id, req.params.orderId));
17\t  });
18\t
19\t  return router;
20\t}`;

const APP_TS = `1\timport express from 'express';
2\timport { config } from './config/index.js';
3\timport { errorHandler } from './middleware/error-handler.js';
4\timport { checkoutRouter } from './routes/checkout.js';
5\timport { productsRouter } from './routes/products.js';
6\timport { CheckoutService } from './services/checkout-service.js';
7\t
8\texport function createApp() {
9\t  const app = express();
10\t  app.use(express.json({ limit: '100kb' }));
11\t  app.use('/api/products', productsRouter());
12\t  app.use('/api/checkout', checkoutRouter(new CheckoutService(config)));
13\t  app.use(errorHandler);
14\t  return app;
15\t}`;

const REDIS_TS = `1\timport { Redis } from 'ioredis';
2\timport { config } from '../config/index.js';
3\t
4\t/** Shared connection: sessions, carts and the product cache all use it. */
5\texport const redis = new Redis(config.redisUrl, {
6\t  maxRetriesPerRequest: 2,
7\t  enableOfflineQueue: false,
8\t});`;

const CONFIG_TS = `1\timport { z } from 'zod';
2\t
3\tconst schema = z.object({
4\t  PORT: z.coerce.number().default(3000),
5\t  DATABASE_URL: z.string().url(),
6\t  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
7\t  STRIPE_SECRET_KEY: z.string(),
8\t});
9\t
10\tconst env = schema.parse(process.env);
11\t
12\texport const config = {
13\t  port: env.PORT,
14\t  databaseUrl: env.DATABASE_URL,
15\t  redisUrl: env.REDIS_URL,
16\t  stripeSecretKey: env.STRIPE_SECRET_KEY,
17\t};`;

const LIMITER_SOURCE = `import type { NextFunction, Request, Response } from 'express';
import { config } from '../config/index.js';
import { redis } from '../lib/redis.js';

export interface RateLimitOptions {
  windowMs: number;
  max: number;
}

/** Fixed-window limiter: one Redis counter per client and window, shared by every instance. */
export function rateLimit(name: string, options: RateLimitOptions = config.rateLimit) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const client = req.user?.id ?? req.ip;
    const key = \`ratelimit:\${name}:\${client}\`;
    const count = await redis.incr(key);
    if (count === 1) await redis.pexpire(key, options.windowMs);
    const ttlMs = await redis.pttl(key);
    res.setHeader('X-RateLimit-Limit', options.max);
    res.setHeader('X-RateLimit-Remaining', Math.max(0, options.max - count));
    if (count > options.max) {
      res.setHeader('Retry-After', ttlMs);
      res.status(429).json({ error: 'Too many checkout attempts, please try again later' });
      return;
    }
    next();
  };
}
`;

const LIMITER_TEST = `import request from 'supertest';
import { createApp } from '../src/app.js';
import { redis } from '../src/lib/redis.js';
import { flushRedis } from './helpers/redis.js';
import { authHeader, validCheckout } from './helpers/checkout.js';

describe('checkout rate limit', () => {
  const app = createApp();
  beforeEach(flushRedis);
  afterAll(() => redis.quit());

  it('allows requests under the limit', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await request(app).post('/api/checkout').set(authHeader('u1')).send(validCheckout);
      expect(res.status).toBe(201);
    }
  });

  it('returns 429 with Retry-After once the limit is exceeded', async () => {
    for (let i = 0; i < 5; i++) await request(app).post('/api/checkout').set(authHeader('u1')).send(validCheckout);
    const res = await request(app).post('/api/checkout').set(authHeader('u1')).send(validCheckout);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('60');
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
  });

  it('counts each user separately', async () => {
    for (let i = 0; i < 5; i++) await request(app).post('/api/checkout').set(authHeader('u1')).send(validCheckout);
    const res = await request(app).post('/api/checkout').set(authHeader('u2')).send(validCheckout);
    expect(res.status).toBe(201);
  });
});
`;

const FAILING_RUN = `> shop-api@1.4.0 test
> jest rate-limit

 FAIL  test/rate-limit.test.ts
  checkout rate limit
    ✓ allows requests under the limit (48 ms)
    ✕ returns 429 with Retry-After once the limit is exceeded (31 ms)
    ✓ counts each user separately (22 ms)

  ● checkout rate limit › returns 429 with Retry-After once the limit is exceeded

    expect(received).toBe(expected) // Object.is equality

    Expected: "60"
    Received: "60000"

      22 |     const res = await request(app).post('/api/checkout').set(authHeader('u1')).send(validCheckout);
      23 |     expect(res.status).toBe(429);
    > 24 |     expect(res.headers['retry-after']).toBe('60');
         |                                        ^
      25 |     expect(res.headers['x-ratelimit-remaining']).toBe('0');

      at Object.<anonymous> (test/rate-limit.test.ts:24:40)

Test Suites: 1 failed, 1 total
Tests:       1 failed, 2 passed, 3 total
Time:        1.84 s
npm ERR! Test failed.  See above for more details.`;

const PASSING_RUN = `> shop-api@1.4.0 test
> jest rate-limit

 PASS  test/rate-limit.test.ts
  checkout rate limit
    ✓ allows requests under the limit (45 ms)
    ✓ returns 429 with Retry-After once the limit is exceeded (29 ms)
    ✓ counts each user separately (21 ms)

Test Suites: 1 passed, 1 total
Tests:       3 passed, 3 total
Time:        1.71 s`;

const FULL_RUN = `> shop-api@1.4.0 test
> jest

 PASS  test/products.test.ts
 PASS  test/cart.test.ts
 PASS  test/rate-limit.test.ts
 PASS  test/checkout.test.ts
 PASS  test/orders.test.ts

Test Suites: 5 passed, 5 total
Tests:       41 passed, 41 total
Time:        6.02 s`;

/** The built-in scripted build: rate limiting for a checkout API, with one failing test run. */
export function demoScript(): DemoStep[] {
  const s = new ScriptBuilder();

  s.say(
    600,
    "I'll add per-client rate limiting to the checkout endpoints. First I'll look at how the checkout router is wired up and whether there's a Redis client to reuse.",
  );
  s.advance(500, 0);
  s.tool(
    'Grep',
    { pattern: 'checkout', path: 'src', output_mode: 'files_with_matches' },
    'src/app.ts\nsrc/routes/checkout.ts\nsrc/schemas/checkout.ts\nsrc/services/checkout-service.ts',
    200,
  );
  s.tool('Read', { file_path: 'src/routes/checkout.ts' }, CHECKOUT_ROUTER, 150);
  s.tool('Read', { file_path: 'src/app.ts' }, APP_TS, 150);
  s.tool(
    'Grep',
    { pattern: 'new Redis|createClient', path: 'src', output_mode: 'content', '-n': true },
    'src/lib/redis.ts:5:export const redis = new Redis(config.redisUrl, {',
    200,
  );
  s.tool('Read', { file_path: 'src/lib/redis.ts' }, REDIS_TS, 150);
  s.say(
    900,
    "The checkout router is mounted at /api/checkout and src/lib/redis.ts already exports a shared ioredis client. I'll use a fixed-window counter in Redis (INCR + PEXPIRE) keyed by user id, falling back to the client IP, so the limit holds across all API instances.",
  );

  s.advance(500, 1);
  s.tool('Read', { file_path: 'src/config/index.ts' }, CONFIG_TS, 150);
  s.tool(
    'Edit',
    {
      file_path: 'src/config/index.ts',
      old_string: '  STRIPE_SECRET_KEY: z.string(),\n});',
      new_string:
        '  STRIPE_SECRET_KEY: z.string(),\n  CHECKOUT_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(5),\n  CHECKOUT_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),\n});',
    },
    'The file src/config/index.ts has been updated successfully.',
    250,
  );
  s.tool(
    'Edit',
    {
      file_path: 'src/config/index.ts',
      old_string: '  stripeSecretKey: env.STRIPE_SECRET_KEY,\n};',
      new_string:
        '  stripeSecretKey: env.STRIPE_SECRET_KEY,\n  rateLimit: { max: env.CHECKOUT_RATE_LIMIT_MAX, windowMs: env.CHECKOUT_RATE_LIMIT_WINDOW_MS },\n};',
    },
    'The file src/config/index.ts has been updated successfully.',
    250,
  );
  s.tool(
    'Edit',
    {
      file_path: '.env.example',
      old_string: 'STRIPE_SECRET_KEY=sk_test_change_me',
      new_string:
        'STRIPE_SECRET_KEY=sk_test_change_me\n# Checkout attempts allowed per user (or IP) per window\nCHECKOUT_RATE_LIMIT_MAX=5\nCHECKOUT_RATE_LIMIT_WINDOW_MS=60000',
    },
    'The file .env.example has been updated successfully.',
    250,
  );

  s.advance(500, 2);
  s.tool(
    'Write',
    { file_path: 'src/middleware/rate-limit.ts', content: LIMITER_SOURCE },
    'File created successfully at: src/middleware/rate-limit.ts',
    300,
    1600,
  );
  s.tool('Bash', { command: 'npx tsc --noEmit', description: 'Type-check the project' }, '', 2200);

  s.advance(500, 3);
  s.tool(
    'Edit',
    {
      file_path: 'src/routes/checkout.ts',
      old_string: "import { validateBody } from '../middleware/validate.js';",
      new_string:
        "import { rateLimit } from '../middleware/rate-limit.js';\nimport { validateBody } from '../middleware/validate.js';",
    },
    'The file src/routes/checkout.ts has been updated successfully.',
    250,
  );
  s.tool(
    'Edit',
    {
      file_path: 'src/routes/checkout.ts',
      old_string: "  router.post('/', requireAuth, validateBody(checkoutSchema), async (req, res) => {",
      new_string:
        "  // After auth, so the limit is per user; before validation, so bad bodies count too.\n  router.post('/', requireAuth, rateLimit('checkout'), validateBody(checkoutSchema), async (req, res) => {",
    },
    'The file src/routes/checkout.ts has been updated successfully.',
    250,
  );
  s.tool('Grep', { pattern: 'trust proxy', path: 'src', output_mode: 'content' }, 'No matches found', 200);
  s.tool(
    'Edit',
    {
      file_path: 'src/app.ts',
      old_string: '  const app = express();',
      new_string:
        "  const app = express();\n  // Behind the load balancer: req.ip must be the client, not the proxy.\n  app.set('trust proxy', 1);",
    },
    'The file src/app.ts has been updated successfully.',
    250,
  );

  s.advance(500, 4);
  s.tool(
    'Read',
    { file_path: 'test/checkout.test.ts', limit: 40 },
    "1\timport request from 'supertest';\n2\timport { createApp } from '../src/app.js';\n3\timport { flushRedis } from './helpers/redis.js';\n4\timport { authHeader, validCheckout } from './helpers/checkout.js';\n5\t\n6\tdescribe('POST /api/checkout', () => {\n7\t  const app = createApp();\n8\t  beforeEach(flushRedis);\n9\t\n10\t  it('places an order', async () => {",
    150,
  );
  s.tool(
    'Read',
    { file_path: 'test/helpers/redis.ts' },
    "1\timport { redis } from '../../src/lib/redis.js';\n2\t\n3\texport async function flushRedis(): Promise<void> {\n4\t  await redis.flushdb();\n5\t}",
    150,
  );
  s.tool(
    'Write',
    { file_path: 'test/rate-limit.test.ts', content: LIMITER_TEST },
    'File created successfully at: test/rate-limit.test.ts',
    300,
    1500,
  );

  s.advance(500, 5);
  s.tool(
    'Bash',
    { command: 'npm test -- rate-limit', description: 'Run the rate-limit tests' },
    FAILING_RUN,
    2600,
    700,
    true,
  );
  s.say(
    800,
    "The limiter returns 429 as expected, but Retry-After is sent in milliseconds (60000). The header is defined in seconds, so I'll convert the remaining window and round up.",
  );
  s.tool(
    'Read',
    { file_path: 'src/middleware/rate-limit.ts', offset: 16, limit: 8 },
    "16\t    const ttlMs = await redis.pttl(key);\n17\t    res.setHeader('X-RateLimit-Limit', options.max);\n18\t    res.setHeader('X-RateLimit-Remaining', Math.max(0, options.max - count));\n19\t    if (count > options.max) {\n20\t      res.setHeader('Retry-After', ttlMs);\n21\t      res.status(429).json({ error: 'Too many checkout attempts, please try again later' });\n22\t      return;\n23\t    }",
    150,
  );
  s.tool(
    'Edit',
    {
      file_path: 'src/middleware/rate-limit.ts',
      old_string: "      res.setHeader('Retry-After', ttlMs);",
      new_string:
        "      // Retry-After is in whole seconds (RFC 9110).\n      res.setHeader('Retry-After', Math.ceil(ttlMs / 1000));",
    },
    'The file src/middleware/rate-limit.ts has been updated successfully.',
    250,
  );
  s.tool(
    'Bash',
    { command: 'npm test -- rate-limit', description: 'Rerun the rate-limit tests' },
    PASSING_RUN,
    2400,
  );
  s.say(
    600,
    'All three rate-limit tests pass now. Running the full suite and the linter to make sure nothing else regressed.',
  );
  s.tool('Bash', { command: 'npm test', description: 'Run the full test suite' }, FULL_RUN, 3200);
  s.tool(
    'Bash',
    { command: 'npm run lint', description: 'Lint the project' },
    '> shop-api@1.4.0 lint\n> eslint .',
    1600,
  );

  s.advance(500, 6);
  s.tool(
    'Grep',
    { pattern: '^## ', path: 'README.md', output_mode: 'content', '-n': true },
    'README.md:1:## Shop API\nREADME.md:14:## Configuration\nREADME.md:31:## Endpoints\nREADME.md:58:## Testing',
    200,
  );
  s.tool(
    'Edit',
    {
      file_path: 'README.md',
      old_string: '## Endpoints',
      new_string:
        '### Rate limiting\n\n`POST /api/checkout` allows `CHECKOUT_RATE_LIMIT_MAX` attempts (default 5) per user per\n`CHECKOUT_RATE_LIMIT_WINDOW_MS` (default 60 s). Over the limit it answers `429` with a\n`Retry-After` header in seconds; every response carries `X-RateLimit-Limit` and `X-RateLimit-Remaining`.\n\n## Endpoints',
    },
    'The file README.md has been updated successfully.',
    250,
  );
  s.tool(
    'Edit',
    {
      file_path: 'CHANGELOG.md',
      old_string: '## Unreleased\n',
      new_string:
        '## Unreleased\n\n- Rate limiting for `POST /api/checkout` (Redis-backed, per user, configurable).\n',
    },
    'The file CHANGELOG.md has been updated successfully.',
    250,
  );
  s.tool(
    'Bash',
    { command: 'git diff --stat', description: 'Summarize the changes' },
    ' .env.example                 |  3 +++\n CHANGELOG.md                 |  2 ++\n README.md                    |  6 ++++++\n src/app.ts                   |  2 ++\n src/config/index.ts          |  3 +++\n src/middleware/rate-limit.ts | 29 +++++++++++++++++++++++++++++\n src/routes/checkout.ts       |  4 +++-\n test/rate-limit.test.ts      | 32 ++++++++++++++++++++++++++++++++\n 8 files changed, 80 insertions(+), 1 deletion(-)',
    300,
  );
  s.advance(500, null);
  s.say(
    700,
    'Done. POST /api/checkout is now limited to 5 attempts per user per minute (configurable via CHECKOUT_RATE_LIMIT_MAX and CHECKOUT_RATE_LIMIT_WINDOW_MS), backed by the shared Redis client so it holds across instances. Over the limit the API answers 429 with Retry-After in seconds. Added 3 tests; the full suite (41 tests) and lint pass.',
  );

  return s.scaled(DEMO_DURATION_MS);
}

/** Plays the demo: each step's events after `delayMs / speed`; ends promptly on abort. */
export async function* playDemo(signal: AbortSignal, speed = 1): AsyncGenerator<NewBuildEvent[]> {
  const factor = speed > 0 && Number.isFinite(speed) ? speed : 1;
  for (const step of demoScript()) {
    await sleep(step.delayMs / factor, undefined, { signal }).catch(() => undefined); // aborted: checked below
    if (signal.aborted) return;
    yield step.events;
  }
}
