/** A status pill: a coloured dot and a word ("In sync", "Offline"); the tone carries the colour. */
import type { ReactNode } from 'react';

export type Tone = 'ok' | 'busy' | 'warn' | 'bad' | 'idle' | 'accent';

export function Pill({
  tone,
  children,
  plain = false,
  title,
}: {
  tone: Tone;
  children: ReactNode;
  /** No dot (for labels that are not states, like a role). */
  plain?: boolean;
  title?: string;
}) {
  return (
    <span className={`pill pill-${tone}${plain ? ' pill-plain' : ''}`} title={title}>
      {children}
    </span>
  );
}
