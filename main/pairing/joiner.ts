/**
 * The joining side of pairing: over a fresh connection to a device it does not trust yet,
 * proves knowledge of the code and checks the inviter's proof first (a wrong code, or a
 * device in the middle, is detected here before the joiner reveals its own confirmation).
 */
import type { PeerLink } from '../protocol/link.js';
import type { PairCode } from './code.js';
import { macEquals, PairProofError, Spake2 } from './spake2.js';

const JOIN_TIMEOUT_MS = 20_000;

export class PairingRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PairingRefused';
  }
}

/** Runs the exchange; resolves with the inviter's ID and name once it confirmed the pairing. */
export function joinPairing(
  link: PeerLink,
  code: PairCode,
  ownId: string,
  listenPort: number,
): Promise<{ deviceId: string; name: string }> {
  const spake = new Spake2('joiner', code, { inviter: link.deviceId, joiner: ownId });
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: PairingRefused | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve({ deviceId: link.deviceId, name: link.name });
    };
    const timer = setTimeout(() => {
      finish(new PairingRefused('the other device did not answer in time'));
      link.close('pairing timed out');
    }, JOIN_TIMEOUT_MS);
    link.onClose((reason) => finish(new PairingRefused(`connection closed: ${reason}`)));
    link.onMessage((m) => {
      if (m.t === 'pair-reply') {
        let ok = false;
        let confirm: Buffer | undefined;
        try {
          const c = spake.finish(m.y);
          ok = macEquals(m.confirm, c.inviter);
          confirm = c.joiner;
        } catch (err) {
          if (!(err instanceof PairProofError)) throw err;
        }
        if (!ok || !confirm) {
          finish(new PairingRefused('wrong code (or another device is in the middle)'));
          link.send({ t: 'pair-result', ok: false, reason: 'wrong code' });
          link.close('wrong code');
          return;
        }
        link.send({ t: 'pair-confirm', confirm });
        return;
      }
      if (m.t === 'pair-result') {
        finish(m.ok ? undefined : new PairingRefused(m.reason || 'refused'));
        link.close('pairing finished');
        return;
      }
      finish(new PairingRefused(`unexpected ${m.t} during pairing`));
      link.close('unexpected message during pairing');
    });
    link.send({ t: 'pair-start', x: spake.myMessage, listenPort });
  });
}
