/** A QR code drawn as SVG from its module grid, labelled with what it holds for screen readers. */
import { useMemo } from 'react';
import { modulesPath } from './qr';

export function QrCode({ modules, label }: { modules: readonly string[]; label: string }) {
  const { size, d } = useMemo(() => modulesPath(modules), [modules]);
  return (
    <svg
      className="qr-code"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
    >
      <rect width={size} height={size} fill="#ffffff" />
      <path d={d} fill="#000000" />
    </svg>
  );
}
