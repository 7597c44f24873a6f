import { ToolCallIds } from './tool-call-ids.js';

describe('ToolCallIds', () => {
  it('keeps the raw id for a first call and refuses a second start while it is open', () => {
    const ids = new ToolCallIds();
    expect(ids.start('call_00_a')).toBe('call_00_a');
    expect(ids.start('call_00_a')).toBeNull();
    expect(ids.current('call_00_a')).toBe('call_00_a');
  });

  it('gives a reused raw id a new toolCallId once its call has finished', () => {
    const ids = new ToolCallIds();
    ids.start('item_0');
    expect(ids.finish('item_0')).toBe('item_0');
    expect(ids.current('item_0')).toBeUndefined();
    expect(ids.start('item_0')).toBe('item_0#2');
    expect(ids.finish('item_0')).toBe('item_0#2');
    expect(ids.start('item_0')).toBe('item_0#3');
    expect(ids.latest('item_0')).toBe('item_0#3');
    expect(ids.latest('item_1')).toBeUndefined();
  });

  it('never hands out an id that a raw id already owns', () => {
    const ids = new ToolCallIds();
    ids.start('x');
    ids.finish('x');
    expect(ids.start('x#2')).toBe('x#2');
    expect(ids.start('x')).toBe('x#3');
  });

  it('finishes nothing for an unknown id', () => {
    expect(new ToolCallIds().finish('nope')).toBeUndefined();
  });
});
