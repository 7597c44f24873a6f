import { NO_DEFAULTS, sessionContext } from './agent-source.js';
import { sessionSummary } from './test/source-helpers.js';

describe('sessionContext', () => {
  const defaults = { model: 'default-model', prompt: 'Default prompt' };

  it('shows the session as requested: its agent, project, model and prompt', () => {
    const session = sessionSummary({ agentId: 'codex', projectName: 'shop', model: 'm', prompt: 'p' });
    expect(sessionContext(session, defaults)).toEqual({
      agentId: 'codex',
      projectName: 'shop',
      model: 'm',
      prompt: 'p',
    });
  });

  it("fills a model or prompt the request left out with the source's defaults, each on its own", () => {
    expect(sessionContext(sessionSummary({ model: null, prompt: 'p' }), defaults)).toMatchObject({
      model: 'default-model',
      prompt: 'p',
    });
    expect(sessionContext(sessionSummary({ model: 'm', prompt: null }), defaults)).toMatchObject({
      model: 'm',
      prompt: 'Default prompt',
    });
  });

  it('leaves them null for a source without defaults', () => {
    expect(sessionContext(sessionSummary(), NO_DEFAULTS)).toMatchObject({ model: null, prompt: null });
  });
});
