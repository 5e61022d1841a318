/**
 * A folder path field: typed in a browser, or chosen with the native folder picker in the
 * desktop app ("Choose…"), with its hint or, once checked, its problem below it.
 */
import { nativeBridge } from '../lib/native';
import { ErrorBanner } from './Banner';
import { useAction } from '../lib/use-action';

interface Props {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onChange: (path: string) => void;
  readonly placeholder: string;
  readonly hint: string;
  /** What is wrong with the value, when it has been checked. */
  readonly problem: string | undefined;
  readonly autoFocus?: boolean;
}

export function FolderPathField(props: Props) {
  const { id, value, onChange, problem } = props;
  const bridge = nativeBridge();
  const pick = useAction(async () => {
    const picked = await bridge?.pickFolder();
    if (picked) onChange(picked);
  });
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {props.label}
      </label>
      <div className="input-with-button">
        <input
          id={id}
          className="input mono"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={props.placeholder}
          autoComplete="off"
          spellCheck={false}
          autoFocus={props.autoFocus}
          aria-invalid={problem !== undefined}
          aria-describedby={`${id}-hint`}
        />
        {bridge && (
          <button
            type="button"
            className="button"
            onClick={() => void pick.run()}
            disabled={pick.busy}
          >
            Choose…
          </button>
        )}
      </div>
      <span id={`${id}-hint`} className={problem !== undefined ? 'field-error' : 'field-hint'}>
        {problem ?? props.hint}
      </span>
      {pick.error !== undefined && (
        <ErrorBanner error={pick.error} context="Could not open the folder picker" />
      )}
    </div>
  );
}
