import { ancestry, countDescendants, nestCalls } from './nesting.js';

const call = (id: string, parentToolCallId: string | null = null) => ({ id, parentToolCallId });

describe('nestCalls', () => {
  const calls = [
    call('task'),
    call('a', 'task'),
    call('b', 'task'),
    call('deep', 'a'),
    call('orphan', 'gone'),
    call('x'),
  ];
  const { topLevel, children } = nestCalls(calls);

  it('keeps calls without a known parent in the timeline and nests the rest under their parent', () => {
    expect(topLevel.map((c) => c.id)).toEqual(['task', 'orphan', 'x']);
    expect(children.get('task')?.map((c) => c.id)).toEqual(['a', 'b']);
    expect(children.get('a')?.map((c) => c.id)).toEqual(['deep']);
  });

  it('counts every call below a parent', () => {
    expect(countDescendants(children, 'task')).toBe(3);
    expect(countDescendants(children, 'x')).toBe(0);
  });

  it('names the chain a deep link opens, and survives a cycle', () => {
    const byId = new Map(calls.map((c) => [c.id, c]));
    expect(ancestry(byId, 'deep')).toEqual(['deep', 'a', 'task']);
    expect(ancestry(byId, 'missing')).toEqual([]);
    const cycle = new Map([
      ['p', call('p', 'q')],
      ['q', call('q', 'p')],
    ]);
    expect(ancestry(cycle, 'p')).toEqual(['p', 'q']);
    expect(nestCalls([call('self', 'self')]).topLevel).toHaveLength(1);
  });
});
