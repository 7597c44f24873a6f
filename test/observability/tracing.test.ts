import { context, propagation, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import { eventually, startDemoBuild } from '../support/builds.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { startStack, type TestStack } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';
import { TestClient } from '../support/ws-client.js';

/**
 * One trace from the runner to the socket: the API, a runner-worker and a gateway in this
 * process, their spans kept in memory by a provider registered as the global one (as
 * startTracing registers the OTLP one).
 */
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => provider.register());
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

/** `span` and its parents, as far as they were recorded and ended. */
function ancestry(span: ReadableSpan, spans: readonly ReadableSpan[]): ReadableSpan[] {
  const byId = new Map(spans.map((each) => [each.spanContext().spanId, each]));
  const chain = [span];
  for (let parent = span.parentSpanContext; parent;) {
    const next = byId.get(parent.spanId);
    if (!next) break;
    chain.push(next);
    parent = next.parentSpanContext;
  }
  return chain;
}

const CHAIN = ['ws.send', 'room.receive', 'bus.publish', 'buildlog.append', 'runner.commit', 'runner.record'];

const seqRange = (span: ReadableSpan): [number, number] => [
  span.attributes['buildcast.seq.from'] as number,
  span.attributes['buildcast.seq.to'] as number,
];

describe.each(TRANSPORTS)('tracing over %s: one trace from the agent batch to the socket', (transport) => {
  let stack: TestStack;
  let gateway: TestGateway;
  let client: TestClient | undefined;

  beforeAll(async () => {
    stack = await startStack({ transport, workers: 1 });
    gateway = await startGateway(stack.config);
  });
  afterAll(async () => {
    client?.close();
    await gateway?.close();
    await stack?.close();
  });

  it('links ws.send through room.receive, bus.publish and buildlog.append to runner.record', async () => {
    const { projectId, sessionId } = await startDemoBuild(stack.apiUrl, `traced-${transport}`, 20);
    client = await TestClient.connect(
      `${gateway.wsUrl}?projectId=${projectId}&sessionId=${sessionId}&since=0`,
    );
    await client.until(() => client!.messages.some(isFinished), 60_000, 'the build to finish');
    expect(client.violations).toEqual([]);

    // The runner's spans end once its publish returns, which may be after the frame arrived.
    const chains = await eventually(() => {
      const spans = exporter
        .getFinishedSpans()
        .filter((span) => span.attributes['buildcast.session_id'] === sessionId);
      const sends = spans.filter((span) => span.name === 'ws.send');
      const found = sends.map((send) => ancestry(send, spans));
      return Promise.resolve(
        found.length > 0 && found.every((chain) => chain.length === CHAIN.length) ? found : undefined,
      );
    }, 'every ws.send span to have its whole chain');

    for (const chain of chains) {
      // Every live frame continues a trace the runner began, one trace id all along.
      expect(chain.map((span) => span.name)).toEqual(CHAIN);
      expect(new Set(chain.map((span) => span.spanContext().traceId)).size).toBe(1);
      // The append in the chain committed seqs the frame sent (its first range, by seq).
      const [sendFrom, sendTo] = seqRange(chain[0]);
      const [appendFrom, appendTo] = seqRange(chain[3]);
      expect(appendFrom).toBeLessThanOrEqual(sendTo);
      expect(appendTo).toBeGreaterThanOrEqual(sendFrom);
    }
    const sentToTheClient = chains.filter(
      (chain) => (chain[0].attributes['buildcast.sockets'] as number) > 0,
    );
    expect(sentToTheClient.length).toBeGreaterThan(0);
    // No trace context reaches a socket.
    expect(JSON.stringify(client.messages)).not.toContain('traceparent');
  });
});

function isFinished(message: { type: string; events?: { type: string }[] }): boolean {
  return (
    message.type === 'events' && (message.events ?? []).some((event) => event.type === 'session.finished')
  );
}
