import { endReason } from './end-reason.js';

const session = (
  status: Parameters<typeof endReason>[0]['status'],
  error: string | null = null,
  audit = [],
) => ({
  status,
  error,
  audit,
});

describe('endReason', () => {
  it('names who cancelled, when the audit says', () => {
    expect(
      endReason({
        ...session('cancelled'),
        audit: [
          { action: 'started', keyName: 'a' },
          { action: 'cancelled', keyName: 'ci' },
        ],
      }),
    ).toBe('Cancelled by ci');
    expect(endReason(session('cancelled'))).toBe('Cancelled on request');
  });

  it('gives the first line of the error of an interrupted or failed build', () => {
    expect(endReason(session('interrupted', 'The runner-worker shut down during the build'))).toBe(
      'Interrupted: The runner-worker shut down during the build',
    );
    expect(endReason(session('failed', '\n  Tests failed\nstack…'))).toBe('Failed: Tests failed');
    expect(endReason(session('failed', 'x'.repeat(300)))).toHaveLength(8 + 120);
    expect(endReason(session('interrupted'))).toBe('Interrupted: the runner stopped before the build ended');
    expect(endReason(session('failed', '  '))).toBe('Failed: the agent reported a failure');
  });

  it('says nothing while running and when completed', () => {
    for (const status of ['queued', 'running', 'completed'] as const)
      expect(endReason(session(status))).toBeNull();
  });
});
