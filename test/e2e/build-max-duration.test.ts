import { finishedLog, slowTranscript, snapshotOnce, startReplay } from '../support/outage.js';
import { request, startStack, type TestStack } from '../support/stack.js';

const BUILD_MAX_MS = 3000;

describe('BUILD_MAX_MS', () => {
  let stack: TestStack;
  let builds: string;
  beforeAll(async () => {
    stack = await startStack({ workers: 1, env: { BUILD_MAX_MS: String(BUILD_MAX_MS) } });
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'limits' } });
    builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('stops a build that runs longer, which ends interrupted naming the limit, and frees its slot', async () => {
    const slow = await startReplay(builds, slowTranscript(600), 1000); // 10 minutes of pacing
    await expect(snapshotOnce(builds, slow)).resolves.toMatchObject({
      session: {
        status: 'interrupted',
        error: `The build ran longer than BUILD_MAX_MS (${BUILD_MAX_MS} ms) and was stopped`,
      },
    });
    const events = await finishedLog(stack.apiUrl, builds, slow);
    expect(events.filter((event) => event.type === 'message').length).toBeLessThan(600);

    const quick = await startReplay(builds, slowTranscript(5), 0);
    await expect(snapshotOnce(builds, quick)).resolves.toMatchObject({ session: { status: 'completed' } });
  });
});
