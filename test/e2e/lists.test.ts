import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectListItem, SessionSummary, StartBuildResponse } from '#contracts';
import { BuildReadModel } from '#persistence';
import { FIXTURES } from '../support/builds.js';
import { request, startStack, type TestStack } from '../support/stack.js';

/**
 * The project and build lists a page at a time (`limit`, `before`), projects with their
 * newest build, and "run again". No runner-worker: every build stays queued, as started.
 */
describe('lists and run again', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const projects = (query = '') => `${stack.apiUrl}/projects${query}`;
  const builds = (projectId: string, query = '') => `${stack.apiUrl}/projects/${projectId}/builds${query}`;

  async function createProject(name: string): Promise<string> {
    const { status, body } = await request<{ id: string }>(projects(), { body: { name } });
    expect(status).toBe(201);
    return body.id;
  }
  async function startDemo(projectId: string, eventIntervalMs?: number): Promise<string> {
    const { status, body } = await request<StartBuildResponse>(builds(projectId), {
      body: { agent: 'demo', eventIntervalMs },
    });
    expect(status).toBe(202);
    return body.sessionId;
  }

  /** Every page after another until a short one: the ids in order. */
  async function readAllPages<T extends { id: string }>(url: (query: string) => string, limit: number) {
    const pages: string[][] = [];
    let before: string | undefined;
    for (;;) {
      const query = `?limit=${limit}${before ? `&before=${before}` : ''}`;
      const { status, body } = await request<T[]>(url(query));
      expect(status).toBe(200);
      pages.push(body.map((row) => row.id));
      if (body.length < limit) return pages;
      before = body.at(-1)!.id;
    }
  }

  it('pages through builds newest first, each once, with a cursor', async () => {
    const projectId = await createProject(`paging ${randomUUID()}`);
    const started: string[] = [];
    for (let i = 0; i < 7; i++) started.push(await startDemo(projectId));
    const pages = await readAllPages<SessionSummary>((query) => builds(projectId, query), 3);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual([...started].reverse());

    // A build started between two pages goes on top: the next page neither repeats nor skips.
    const first = (await request<SessionSummary[]>(builds(projectId, '?limit=3'))).body;
    const newer = await startDemo(projectId);
    const second = (await request<SessionSummary[]>(builds(projectId, `?limit=3&before=${first[2].id}`)))
      .body;
    expect(second.map((row) => row.id)).toEqual([...started].reverse().slice(3, 6));
    expect((await request<SessionSummary[]>(builds(projectId, '?limit=1'))).body[0].id).toBe(newer);
  });

  it('lists projects a page at a time, each with its newest build', async () => {
    const names = Array.from({ length: 5 }, (_, i) => `listed ${i} ${randomUUID()}`);
    const ids: string[] = [];
    for (const name of names) ids.push(await createProject(name));
    const first = await startDemo(ids[1]);
    const latest = await startDemo(ids[1], 50);

    const pages = await readAllPages<ProjectListItem>(projects, 2);
    const all = pages.flat();
    expect(new Set(all).size).toBe(all.length);
    // Newest first: the five made here are the first five, in reverse order of creation.
    expect(all.slice(0, 5)).toEqual([...ids].reverse());

    const { body } = await request<ProjectListItem[]>(projects('?limit=5'));
    const withBuild = body.find((project) => project.id === ids[1])!;
    expect(withBuild.latestBuild).toMatchObject({
      id: latest,
      projectId: ids[1],
      status: 'queued',
      agent: 'demo',
    });
    expect(withBuild.latestBuild?.id).not.toBe(first);
    expect(body.find((project) => project.id === ids[0])!.latestBuild).toBeNull();
  });

  it('finds projects by exact name', async () => {
    const name = `by name ${randomUUID()}`;
    const id = await createProject(name);
    await createProject(`${name} and more`);
    const { status, body } = await request<ProjectListItem[]>(projects(`?name=${encodeURIComponent(name)}`));
    expect(status).toBe(200);
    expect(body.map((project) => project.id)).toEqual([id]);
  });

  it('refuses bad paging parameters with a 400 naming the field', async () => {
    const projectId = await createProject(`bad paging ${randomUUID()}`);
    const cases: [string, RegExp][] = [
      ['?limit=0', /limit must not be less than 1/],
      ['?limit=201', /limit must not be greater than 200/],
      ['?limit=ten', /limit must be an integer/],
      ['?limit=1.5', /limit must be an integer/],
      ['?before=nope', /before must be a UUID/],
      [`?before=${randomUUID()}`, /before: no /],
      ['?offset=3', /property offset should not exist/],
    ];
    for (const [query, message] of cases) {
      for (const url of [projects(query), builds(projectId, query)]) {
        const { status, body } = await request<{ message: string[] }>(url);
        expect({ url, status }).toEqual({ url, status: 400 });
        expect(JSON.stringify(body.message)).toMatch(message);
      }
    }
    const { status, body } = await request<{ message: string[] }>(projects(`?name=${'x'.repeat(201)}`));
    expect(status).toBe(400);
    expect(JSON.stringify(body.message)).toMatch(/name must be shorter than or equal to 200/);
  });

  it('does not take a build of another project as the cursor', async () => {
    const [a, b] = [await createProject(`a ${randomUUID()}`), await createProject(`b ${randomUUID()}`)];
    const other = await startDemo(b);
    const { status, body } = await request<{ message: string[] }>(builds(a, `?before=${other}`));
    expect(status).toBe(400);
    expect(JSON.stringify(body.message)).toMatch(/before: no build/);
  });

  it('runs a replay again with the same stored request, prompt and model', async () => {
    const projectId = await createProject(`run again ${randomUUID()}`);
    const transcript = await readFile(path.join(FIXTURES, 'claude-stream-json_errors.jsonl'), 'utf8');
    const original = await request<StartBuildResponse>(builds(projectId), {
      body: {
        agent: 'replay',
        format: 'claude-stream-json',
        transcript,
        eventIntervalMs: 5,
        prompt: 'fix it',
        model: 'm-1',
      },
    });
    expect(original.status).toBe(202);
    const again = await request<StartBuildResponse>(
      `${builds(projectId)}/${original.body.sessionId}/run-again`,
      { method: 'POST' },
    );
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ sessionId: expect.any(String), projectId, status: 'queued' });
    expect(again.body.sessionId).not.toBe(original.body.sessionId);

    const readModel = stack.api.get(BuildReadModel);
    expect(await readModel.getBuildRequest(again.body.sessionId)).toEqual(
      await readModel.getBuildRequest(original.body.sessionId),
    );
    expect(await readModel.getBuildRequest(again.body.sessionId)).toMatchObject({
      agent: 'replay',
      format: 'claude-stream-json',
      transcript,
      eventIntervalMs: 5,
    });
    const summary = await readModel.getSessionSummary(projectId, again.body.sessionId);
    expect(summary).toMatchObject({ prompt: 'fix it', model: 'm-1', agent: 'replay' });
  });

  it('answers 404 to run again an unknown build and 400 to a malformed id', async () => {
    const projectId = await createProject(`run again missing ${randomUUID()}`);
    const unknown = await request(`${builds(projectId)}/${randomUUID()}/run-again`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    const malformed = await request<{ message: string[] }>(`${builds(projectId)}/nope/run-again`, {
      method: 'POST',
    });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body.message)).toMatch(/sessionId must be a UUID/);
  });
});
