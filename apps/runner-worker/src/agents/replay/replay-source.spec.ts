import { NO_DEFAULTS } from '../agent-source.js';
import { buildToPlay, collect } from '../test/source-helpers.js';
import { ReplaySource } from './replay-source.js';

const transcript = [
  '{"type":"session.started","data":{"model":"transcript-model"}}',
  '{"type":"message","data":{"role":"assistant","text":"one"}}',
  '{"type":"session.finished","data":{"status":"completed"}}',
].join('\n');

describe('ReplaySource', () => {
  const source = new ReplaySource();

  it('brings no defaults: a replay shows what its request and transcript say', () => {
    expect(source.defaults).toEqual(NO_DEFAULTS);
  });

  it('parses the stored transcript in its format, in the context of the session', async () => {
    const build = buildToPlay(
      { agent: 'replay', format: 'buildcast-ndjson', transcript, eventIntervalMs: 0 },
      { agentId: 'shown-agent', projectName: 'shown-project', prompt: 'shown prompt' },
    );
    const events = (await collect(source.events(build, new AbortController().signal))).flat();
    expect(events.map((event) => event.type)).toEqual(['session.started', 'message', 'session.finished']);
    expect(events[0].data).toMatchObject({
      agentId: 'shown-agent',
      projectName: 'shown-project',
      prompt: 'shown prompt',
      model: 'transcript-model',
    });
  });

  it.each([
    ['transcript', { format: 'buildcast-ndjson' as const }],
    ['format', { transcript }],
  ])('fails a replay stored without its %s, saying so', (_missing, request) => {
    const build = buildToPlay({ agent: 'replay', ...request });
    expect(() => source.events(build, new AbortController().signal)).toThrow(
      'The replay was stored without its transcript or format',
    );
  });
});
