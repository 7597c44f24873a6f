import {
  applyEvent,
  emptySnapshot,
  type BuildAuditEntry,
  type BuildEvent,
  type NewBuildEvent,
  type Snapshot,
} from '#contracts';
import { CHUNK_CHARS, SnapshotDocument } from './snapshot-document.js';
import { previewCall } from './snapshot-json.js';

const PREVIEW = 40;
const STARTED: BuildAuditEntry = { action: 'started', keyName: 'admin', keyPrefix: null, at: 't0' };
const CANCELLED: BuildAuditEntry = { action: 'cancelled', keyName: 'ci', keyPrefix: 'bc_1', at: 't9' };

const initial = emptySnapshot({
  id: 's',
  projectId: 'p',
  status: 'queued',
  agent: 'demo',
  agentId: 'demo',
  model: null,
  projectName: 'project',
  prompt: null,
  createdAt: '2026-12-01T00:00:00.000Z',
  startedAt: null,
  endedAt: null,
  error: null,
  usage: null,
  audit: [STARTED],
});

const todos = (done: number) => ({
  type: 'todos.updated' as const,
  data: {
    todos: Array.from({ length: 5 }, (_, i) => ({
      // An agent's own fields (and its key order) do not reach the snapshot.
      status: i < done ? ('completed' as const) : ('pending' as const),
      activeForm: `Doing ${i}`,
      content: `Todo ${i}`,
      priority: 'high',
    })),
  },
});

const started = (id: string, n: number): NewBuildEvent => ({
  type: 'tool.started',
  data: { toolCallId: id, name: 'Bash', input: { command: `run ${n}`, n }, todoIndex: n % 5 },
});

const finished = (id: string, output: string, truncated?: boolean): NewBuildEvent => ({
  type: 'tool.finished',
  data: {
    toolCallId: id,
    output,
    isError: output.startsWith('error'),
    ...(truncated ? { outputTruncated: true } : {}),
  },
});

/** Batches as an agent sends them: outputs short, long (previewed), shortened by the runner; calls across several chunks. */
function batches(): NewBuildEvent[][] {
  const list: NewBuildEvent[][] = [
    [
      {
        type: 'session.started',
        data: { agentId: 'claude-code', model: 'm', projectName: 'project', prompt: 'go' },
      },
    ],
    [todos(0)],
  ];
  for (let n = 0; n < 400; n += 20) {
    const batch: NewBuildEvent[] = [];
    for (let k = n; k < n + 20; k++) {
      batch.push(started(`call-${k}`, k));
      if (k % 7 !== 3) {
        const output = k % 3 === 0 ? `line ${k} 😀\n`.repeat(20) : k % 11 === 0 ? `error ${k}` : `ok ${k}`;
        batch.push(finished(`call-${k}`, output, k % 13 === 0));
      }
    }
    list.push(batch);
    list.push([{ type: 'message', data: { role: 'assistant', text: `Done up to ${n + 20}.` } }]);
  }
  list.push([finished('call-3', 'late result of an early call'), todos(3)]);
  list.push([started('call-open', 1000)]);
  list.push([
    { type: 'session.finished', data: { status: 'failed', error: 'boom', usage: { output_tokens: 9 } } },
  ]);
  return list;
}

function committed(batch: NewBuildEvent[], after: number): BuildEvent[] {
  return batch.map((event, index) => ({
    ...event,
    seq: after + 1 + index,
    at: `2026-12-01T00:00:${String(after % 60).padStart(2, '0')}.000Z`,
  }));
}

const body = (document: SnapshotDocument) =>
  Buffer.concat(document.parts.map((part) => part.bytes)).toString();

/** What a cold build shows: the fold of every event, outputs as previews, todos as stored. */
function asStored(snapshot: Snapshot): Snapshot {
  return {
    ...snapshot,
    todos: snapshot.todos.map(({ index, content, activeForm, status }) => ({
      index,
      content,
      activeForm,
      status,
    })),
    toolCalls: snapshot.toolCalls.map((call) => previewCall(call, PREVIEW)),
  };
}

describe('SnapshotDocument', () => {
  it('folds each batch into the same bytes as a document of the whole fold', () => {
    let document = SnapshotDocument.of(initial, PREVIEW);
    let reference = initial;
    for (const [index, batch] of batches().entries()) {
      const events = committed(batch, reference.seq);
      const audit = index > 30 ? [STARTED, CANCELLED] : [STARTED];
      reference = events.reduce(applyEvent, reference);
      reference = { ...reference, session: { ...reference.session, audit } };
      document = document.apply(events, audit);
      const cold = SnapshotDocument.of(reference, PREVIEW);
      expect(body(document)).toBe(body(cold));
      expect(JSON.parse(body(document))).toEqual(asStored(reference));
    }
    const last = JSON.parse(body(document)) as Snapshot;
    expect(last.session).toEqual(
      expect.objectContaining({ status: 'failed', error: 'boom', audit: [STARTED, CANCELLED] }),
    );
    expect(last.toolCalls.find((call) => call.id === 'call-open')?.status).toBe('aborted');
    expect(last.toolCalls.find((call) => call.id === 'call-3')?.output).toBe('late result of an early call');
    expect(last.toolCalls.filter((call) => call.outputTruncated).length).toBeGreaterThan(100);
    expect(last.todos[0]).toEqual({
      index: 0,
      content: 'Todo 0',
      activeForm: 'Doing 0',
      status: 'completed',
    });
    expect(last.messages).toHaveLength(20);
  });

  it('serializes again only the chunks whose calls changed', () => {
    let document = SnapshotDocument.of(initial, PREVIEW);
    let seq = 0;
    const append = (batch: NewBuildEvent[]) => {
      document = document.apply(committed(batch, seq), [STARTED]);
      seq += batch.length;
    };
    const calls = Array.from({ length: 600 }, (_, k) => [
      started(`c${k}`, k),
      finished(`c${k}`, `output ${k} `.repeat(8)),
    ]);
    append(calls.flat());
    const before = document.parts;
    expect(before.length).toBeGreaterThan(5);
    expect(before.every((part) => part.bytes.length < 2 * CHUNK_CHARS)).toBe(true);

    append([{ type: 'message', data: { role: 'assistant', text: 'hi' } }]);
    const afterMessage = document.parts;
    // The head (seq) and the messages changed; every chunk of calls is the same part.
    expect(afterMessage.slice(1, before.length - 2)).toEqual(before.slice(1, -2));
    afterMessage.slice(1, before.length - 2).forEach((part, i) => expect(part).toBe(before[i + 1]));

    append([finished('c1', 'again')]); // a call of the first chunk
    const afterFinish = document.parts;
    expect(afterFinish[1]).not.toBe(afterMessage[1]);
    afterFinish.slice(2, before.length - 2).forEach((part, i) => expect(part).toBe(afterMessage[i + 2]));
  });
});
