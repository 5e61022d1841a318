/** A notice in the flow of the page: an error where it happened, a warning, or a confirmation. */
import type { ReactNode } from 'react';
import { describeError } from '../lib/errors';
import { Icon, type IconName } from './Icon';

type Kind = 'bad' | 'warn' | 'ok' | 'info';

const icons: Record<Kind, IconName> = { bad: 'alert', warn: 'alert', ok: 'check', info: 'info' };

export function Banner({
  kind,
  title,
  children,
  action,
}: {
  kind: Kind;
  title: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className={`banner banner-${kind}`} role={kind === 'bad' ? 'alert' : 'status'}>
      <Icon name={icons[kind]} />
      <div className="banner-body">
        <div className="banner-title">{title}</div>
        {children !== undefined && <div className="banner-detail">{children}</div>}
      </div>
      {action}
    </div>
  );
}

/** An error from an API call or the daemon, in words: what failed, and what to do. */
export function ErrorBanner({
  error,
  context,
  onRetry,
}: {
  error: unknown;
  /** What was being done ("Could not load the history"). */
  context?: string;
  onRetry?: () => void;
}) {
  const d = describeError(error);
  return (
    <Banner
      kind="bad"
      title={context ?? d.title}
      action={
        onRetry && (
          <button type="button" className="button button-small" onClick={onRetry}>
            Try again
          </button>
        )
      }
    >
      {context === undefined ? d.detail : `${d.title}${d.detail ? `. ${d.detail}` : ''}`}
    </Banner>
  );
}
