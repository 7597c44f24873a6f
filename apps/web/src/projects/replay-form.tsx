import { useState, type ChangeEvent, type FormEvent } from 'react';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '#contracts';
import { detectFormat } from '#transcripts';
import { api } from '../api/api.js';
import { useAction } from '../api/use-request.js';
import { FormError } from '../components/form-error.js';
import { navigate, paths } from '../routing/router.js';

const FORMAT_NAMES: Record<TranscriptFormat, string> = {
  'claude-stream-json': 'Claude Code (stream-json)',
  'claude-session-log': 'Claude Code (session log)',
  'codex-json': 'Codex (exec --json)',
  'buildcast-ndjson': 'Buildcast events (NDJSON)',
};

/** Starts a replay of a pasted or uploaded transcript, paced so it can be watched. */
export function ReplayForm(props: { projectId: string }) {
  const [transcript, setTranscript] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [chosenFormat, setChosenFormat] = useState<TranscriptFormat | 'auto'>('auto');
  const [intervalMs, setIntervalMs] = useState(300);
  const [formatMissing, setFormatMissing] = useState(false);
  const { busy, error, run } = useAction();

  const detected = transcript ? detectFormat(transcript) : null;
  const format = chosenFormat === 'auto' ? detected : chosenFormat;

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setTranscript(await file.text());
    setFileName(file.name);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFormatMissing(!format);
    if (!format) return;
    void run(async () => {
      const { sessionId } = await api.startBuild(props.projectId, {
        agent: 'replay',
        format,
        transcript,
        eventIntervalMs: intervalMs,
      });
      navigate(paths.build(props.projectId, sessionId));
    });
  };

  return (
    <section className="card">
      <h2>Replay a transcript</h2>
      <p className="muted">
        Paste or upload the output of <code>claude -p … --output-format stream-json --verbose</code> or{' '}
        <code>codex exec --json …</code>; it is played back as a live build.
      </p>
      <form className="replay-form" onSubmit={submit}>
        <textarea
          name="transcript"
          aria-label="Transcript"
          rows={6}
          placeholder='{"type":"system","subtype":"init",…}'
          value={transcript}
          onChange={(event) => {
            setTranscript(event.target.value);
            setFileName(null);
          }}
        />
        <div className="form-row">
          <label className="button button-secondary file-button">
            Upload file…
            <input type="file" accept=".jsonl,.ndjson,.json,.txt" onChange={(event) => void upload(event)} />
          </label>
          {fileName && <span className="muted">{fileName}</span>}
          <label>
            Format{' '}
            <select
              name="format"
              value={chosenFormat}
              onChange={(event) => setChosenFormat(event.target.value as TranscriptFormat | 'auto')}
            >
              <option value="auto">Detect{detected ? ` (${FORMAT_NAMES[detected]})` : ''}</option>
              {TRANSCRIPT_FORMATS.map((name) => (
                <option key={name} value={name}>
                  {FORMAT_NAMES[name]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Pace{' '}
            <input
              type="number"
              name="eventIntervalMs"
              min={0}
              max={60000}
              step={50}
              value={intervalMs}
              onChange={(event) => setIntervalMs(Number(event.target.value))}
            />{' '}
            ms per line
          </label>
          <button type="submit" className="button button-primary" disabled={busy || !transcript.trim()}>
            {busy ? 'Starting…' : 'Start replay'}
          </button>
        </div>
        <FormError
          error={formatMissing ? 'Choose the transcript format: it could not be recognised.' : error}
        />
      </form>
    </section>
  );
}
