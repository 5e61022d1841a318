/** What a page shows when there is nothing yet: what it is for and what to do next. */
import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon: IconName;
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <section className="empty" aria-label={title}>
      <div className="empty-icon">
        <Icon name={icon} />
      </div>
      <h2>{title}</h2>
      <div className="empty-text">{children}</div>
      {action !== undefined && <div className="empty-action">{action}</div>}
    </section>
  );
}
