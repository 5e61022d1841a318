/**
 * A folder's settings: how versions are committed (claim 31's choice of 1PC or 2PC), which
 * paths always change together, how much history the master keeps, and the batch timings.
 * Editable on the master (they are versioned with the folder); read-only on a replica.
 */
import { useEffect, useId, useState, type SyntheticEvent, type ReactNode } from 'react';
import { useClient } from '../../api/connection';
import type { FolderDetail, FolderSettings } from '../../api/types';
import { Banner, ErrorBanner } from '../../components/Banner';
import { draftOf, parseDraft, patchOf, type SettingsDraft, type SizeUnit } from './settings-form';

const modes: readonly { value: FolderSettings['commitMode']; label: string; hint: string }[] = [
  {
    value: 'auto',
    label: 'Automatic',
    hint: 'One file at a time goes straight to replicas; several files, a folder rename or a path matching an atomic pattern switch together (two-phase).',
  },
  {
    value: 'one-phase',
    label: 'Always one-phase',
    hint: 'Replicas apply each version as soon as it arrives. Fastest.',
  },
  {
    value: 'two-phase',
    label: 'Always two-phase',
    hint: 'Replicas first prepare each version, then all switch to it together. Never shows half a change.',
  },
];

const policies: readonly {
  value: FolderSettings['twoPhasePolicy'];
  label: string;
  hint: string;
}[] = [
  {
    value: 'available',
    label: 'Go ahead with the replicas that agree',
    hint: 'A replica that cannot take a change now (a local edit, a full disk, offline) catches up later; the others switch at once.',
  },
  {
    value: 'all',
    label: 'Wait until every replica agrees',
    hint: 'A change goes nowhere until every connected replica can take it; the overview says which replica holds it up and why.',
  },
];

export function FolderSettingsForm({
  folder,
  onSaved,
}: {
  folder: FolderDetail;
  onSaved: () => void;
}) {
  const client = useClient();
  const ids = useId();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(folder.settings));
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<{ restartNeeded: boolean } | undefined>();
  const editable = folder.role === 'master';
  const settingsKey = JSON.stringify(folder.settings);
  useEffect(() => {
    if (!touched) setDraft(draftOf(folder.settings));
  }, [settingsKey]);

  const parsed = parseDraft(draft);
  const patch = parsed.settings ? patchOf(folder.settings, parsed.settings) : undefined;
  const set = (change: Partial<SettingsDraft>) => {
    setDraft((d) => ({ ...d, ...change }));
    setTouched(true);
    setResult(undefined);
  };

  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    if (!patch) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await client.updateSettings(folder.id, patch);
      setResult({ restartNeeded: r.restartNeeded });
      setDraft(draftOf(r.settings));
      setTouched(false);
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const err = (k: keyof SettingsDraft) => parsed.errors[k];
  return (
    <form
      className="stack"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label={`Settings of ${folder.id}`}
    >
      {!editable && (
        <Banner kind="info" title="Settings are chosen on the master">
          This copy follows the settings of the folder’s master; change them there.
        </Banner>
      )}
      <fieldset className="card settings-card" disabled={!editable}>
        <legend className="visually-hidden">Commit</legend>
        <div className="card-header">
          <h2>How changes reach replicas</h2>
        </div>
        <div className="card-body stack">
          <div className="radio-group" role="radiogroup" aria-label="Commit mode">
            {modes.map((m) => (
              <label key={m.value} className="radio">
                <input
                  type="radio"
                  name={`${ids}-mode`}
                  value={m.value}
                  checked={draft.commitMode === m.value}
                  onChange={() => set({ commitMode: m.value })}
                />
                <span>
                  <span className="field-label">{m.label}</span>
                  <span className="field-hint block">{m.hint}</span>
                </span>
              </label>
            ))}
          </div>
          <div
            className="radio-group"
            role="radiogroup"
            aria-label="Two-phase policy"
            aria-describedby={`${ids}-policy-title`}
          >
            <span className="field-label" id={`${ids}-policy-title`}>
              When a replica cannot take a two-phase change
            </span>
            {policies.map((p) => (
              <label key={p.value} className="radio">
                <input
                  type="radio"
                  name={`${ids}-policy`}
                  value={p.value}
                  checked={draft.twoPhasePolicy === p.value}
                  onChange={() => set({ twoPhasePolicy: p.value })}
                />
                <span>
                  <span className="field-label">{p.label}</span>
                  <span className="field-hint block">{p.hint}</span>
                </span>
              </label>
            ))}
          </div>
          <Field
            id={`${ids}-atomic`}
            label="Atomic patterns"
            error={err('atomicPatterns')}
            hint="One pattern per line, like .gitignore (for example build/** or *.sqlite). A change touching a matching path always goes two-phase."
          >
            <textarea
              id={`${ids}-atomic`}
              className="textarea"
              value={draft.atomicPatterns}
              onChange={(e) => set({ atomicPatterns: e.target.value })}
              spellCheck={false}
              rows={4}
              aria-invalid={err('atomicPatterns') !== undefined}
              aria-describedby={`${ids}-atomic-hint`}
            />
          </Field>
        </div>
      </fieldset>
      <fieldset className="card settings-card" disabled={!editable}>
        <legend className="visually-hidden">Deletion guard</legend>
        <div className="card-header">
          <h2>Mass deletions</h2>
        </div>
        <div className="card-body stack">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.deletionGuardOn}
              onChange={(e) => set({ deletionGuardOn: e.target.checked })}
              aria-describedby={`${ids}-guardon-hint`}
            />
            <span>
              <span className="field-label">Hold mass deletions until I approve them</span>
              <span id={`${ids}-guardon-hint`} className="field-hint block">
                A change that deletes many files at once (a folder moved away, a disk not mounted)
                waits on this computer; the overview asks you to approve or reject it. Fewer than 5
                deleted files are never held.
              </span>
            </span>
          </label>
          <Field
            id={`${ids}-guard`}
            label="Hold a change that deletes more than"
            error={err('deletionGuardPercent')}
            hint="Of the files in the folder. Deleting every file is always held while the guard is on."
          >
            <div className="input-with-unit">
              <input
                id={`${ids}-guard`}
                className="input numeric"
                inputMode="decimal"
                value={draft.deletionGuardPercent}
                disabled={!draft.deletionGuardOn}
                aria-invalid={err('deletionGuardPercent') !== undefined}
                aria-describedby={`${ids}-guard-hint`}
                onChange={(e) => set({ deletionGuardPercent: e.target.value })}
              />
              <span className="muted">% of the files</span>
            </div>
          </Field>
        </div>
      </fieldset>
      <fieldset className="card settings-card" disabled={!editable}>
        <legend className="visually-hidden">History</legend>
        <div className="card-header">
          <h2>History</h2>
        </div>
        <div className="card-body form-grid">
          <Field
            id={`${ids}-cap`}
            label="History size"
            error={err('historyCap')}
            hint="Old file content the master keeps for diffs and restores. The oldest goes first."
          >
            <SizeInput
              id={`${ids}-cap`}
              label="History size"
              value={draft.historyCap}
              unit={draft.historyCapUnit}
              invalid={err('historyCap') !== undefined}
              onChange={(v, unit) => set({ historyCap: v, historyCapUnit: unit })}
            />
          </Field>
          <Field
            id={`${ids}-retain`}
            label="Keep history of files up to"
            error={err('retainMax')}
            hint="Larger files are synced but their old versions are not kept."
          >
            <SizeInput
              id={`${ids}-retain`}
              label="Keep history of files up to"
              value={draft.retainMax}
              unit={draft.retainMaxUnit}
              invalid={err('retainMax') !== undefined}
              onChange={(v, unit) => set({ retainMax: v, retainMaxUnit: unit })}
            />
          </Field>
        </div>
      </fieldset>
      <fieldset className="card settings-card" disabled={!editable}>
        <legend className="visually-hidden">Batching</legend>
        <div className="card-header">
          <h2>Batching</h2>
        </div>
        <div className="card-body form-grid">
          <Field
            id={`${ids}-quiet`}
            label="Quiet time"
            error={err('batchQuietMs')}
            hint="How long the folder must be still before changes become a version."
          >
            <MsInput
              id={`${ids}-quiet`}
              value={draft.batchQuietMs}
              invalid={err('batchQuietMs') !== undefined}
              onChange={(v) => set({ batchQuietMs: v })}
            />
          </Field>
          <Field
            id={`${ids}-delay`}
            label="Longest wait"
            error={err('batchMaxDelayMs')}
            hint="Under continuous writes, a version is made at least this often."
          >
            <MsInput
              id={`${ids}-delay`}
              value={draft.batchMaxDelayMs}
              invalid={err('batchMaxDelayMs') !== undefined}
              onChange={(v) => set({ batchMaxDelayMs: v })}
            />
          </Field>
        </div>
      </fieldset>
      {error !== undefined && <ErrorBanner error={error} context="Could not save the settings" />}
      {result && (
        <Banner kind={result.restartNeeded ? 'warn' : 'ok'} title="Settings saved">
          {result.restartNeeded
            ? 'The new batch timings take effect when Lanfold restarts.'
            : undefined}
        </Banner>
      )}
      {editable && (
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || patch === undefined}
          >
            {busy ? 'Saving…' : 'Save settings'}
          </button>
          <button
            type="button"
            className="button"
            disabled={busy || !touched}
            onClick={() => {
              setDraft(draftOf(folder.settings));
              setTouched(false);
            }}
          >
            Discard changes
          </button>
        </div>
      )}
    </form>
  );
}

function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint: string;
  error: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children}
      <span id={`${id}-hint`} className={error ? 'field-error' : 'field-hint'}>
        {error ?? hint}
      </span>
    </div>
  );
}

function SizeInput({
  id,
  label,
  value,
  unit,
  invalid,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  unit: SizeUnit;
  invalid: boolean;
  onChange: (v: string, unit: SizeUnit) => void;
}) {
  return (
    <div className="input-with-unit">
      <input
        id={id}
        className="input numeric"
        inputMode="decimal"
        value={value}
        aria-invalid={invalid}
        aria-describedby={`${id}-hint`}
        onChange={(e) => onChange(e.target.value, unit)}
      />
      <select
        className="select"
        aria-label={`${label}: unit`}
        value={unit}
        onChange={(e) => onChange(value, e.target.value === 'GiB' ? 'GiB' : 'MiB')}
      >
        <option value="MiB">MiB</option>
        <option value="GiB">GiB</option>
      </select>
    </div>
  );
}

function MsInput({
  id,
  value,
  invalid,
  onChange,
}: {
  id: string;
  value: string;
  invalid: boolean;
  onChange: (v: string) => void;
}) {
  return (
    <div className="input-with-unit">
      <input
        id={id}
        className="input numeric"
        inputMode="numeric"
        value={value}
        aria-invalid={invalid}
        aria-describedby={`${id}-hint`}
        onChange={(e) => onChange(e.target.value)}
      />
      <span className="muted">ms</span>
    </div>
  );
}
