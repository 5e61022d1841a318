/**
 * The frame of one screen: its heading (which takes the focus after a navigation, so screen
 * readers announce the new page), a subtitle, actions on the right, and the content.
 */
import { useEffect, useRef, type ReactNode } from 'react';

let firstPage = true;

export function Page({
  title,
  subtitle,
  actions,
  wide = false,
  before,
  children,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  wide?: boolean;
  /** Above the heading (a back link). */
  before?: ReactNode;
  children: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const titleText = typeof title === 'string' ? title : undefined;
  useEffect(() => {
    if (titleText !== undefined) document.title = `${titleText} · Lanfold`;
  }, [titleText]);
  useEffect(() => {
    if (firstPage) {
      firstPage = false;
      return;
    }
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <div className={`page${wide ? ' page-wide' : ''}`}>
      {before}
      <header className="page-header">
        <div>
          <h1 ref={heading} tabIndex={-1}>
            {title}
          </h1>
          {subtitle !== undefined && <p className="subtitle">{subtitle}</p>}
        </div>
        {actions !== undefined && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </div>
  );
}
