/** An accessible progress bar; `percent` is the server's (exactly 100 once completed). */
export function ProgressBar(props: {
  percent: number;
  label: string;
  tone: string;
  testId?: string;
  small?: boolean;
}) {
  const percent = Math.min(100, Math.max(0, props.percent));
  return (
    <div
      className={`progress ${props.small ? 'progress-small' : ''} tone-${props.tone}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-label={props.label}
      data-testid={props.testId}
    >
      <div className="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}
