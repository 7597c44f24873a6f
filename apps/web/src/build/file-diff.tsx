import { diffLines, type FileChange } from './file-changes.js';

const KIND_LABELS = { add: 'added', update: 'changed', delete: 'deleted' } as const;
const LINE_MARKS = { add: '+', remove: '-', context: ' ', gap: '' } as const;

/** The files a call changes, each as a diff (or only its name, when the input has no text). */
export function FileDiffs(props: { changes: FileChange[] }) {
  return (
    <div className="diffs" data-testid="diff">
      {props.changes.map((change, index) => (
        <FileDiff key={index} change={change} />
      ))}
    </div>
  );
}

function FileDiff(props: { change: FileChange }) {
  const { change } = props;
  const { lines, cut } = diffLines(change);
  return (
    <figure className="diff">
      <figcaption className="diff-file">
        <span className={`diff-kind diff-kind-${change.kind}`}>{KIND_LABELS[change.kind]}</span> {change.path}
      </figcaption>
      {lines.length > 0 && (
        <pre className="diff-lines">
          {lines.map((line, index) => (
            <span key={index} className={`diff-line diff-${line.kind}`}>
              <span className="diff-mark">{LINE_MARKS[line.kind]}</span>
              {line.kind === 'gap' ? '…' : line.text}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
      {cut > 0 && <p className="muted">{cut} more lines not shown.</p>}
    </figure>
  );
}
