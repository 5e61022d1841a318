/** The native bridge when the UI runs in the desktop app; undefined in a browser. */
import type { NativeBridge } from './native-bridge';

export function nativeBridge(): NativeBridge | undefined {
  const candidate = (window as { lanfold?: Partial<NativeBridge> }).lanfold;
  return typeof candidate?.pickFolder === 'function' ? (candidate as NativeBridge) : undefined;
}
