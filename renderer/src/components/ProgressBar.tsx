/** A thin progress bar with an accessible name; without a value it shows activity only. */
export function ProgressBar({ value, label }: { value: number | undefined; label: string }) {
  const pct = value === undefined ? undefined : Math.max(0, Math.min(1, value)) * 100;
  return (
    <div
      className={`progress${pct === undefined ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={pct === undefined ? undefined : 0}
      aria-valuemax={pct === undefined ? undefined : 100}
      aria-valuenow={pct === undefined ? undefined : Math.round(pct)}
    >
      <div className="progress-fill" style={pct === undefined ? undefined : { width: `${pct}%` }} />
    </div>
  );
}
