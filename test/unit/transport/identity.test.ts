import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  base32,
  deviceIdOfCert,
  formatDeviceId,
  generateIdentity,
  parseDeviceId,
  shortDeviceId,
  type DeviceId,
} from '../../../main/transport/identity.js';
import { lanfoldErrorOf } from '../helpers/errors.js';

const SAMPLE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST' as DeviceId;

describe('base32', () => {
  // RFC 4648 test vectors, without padding.
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ];
  it.each(vectors)('encodes %j as %j', (input, output) => {
    expect(base32(Buffer.from(input))).toBe(output);
  });

  it('encodes 32 bytes as 52 characters', () => {
    expect(base32(new Uint8Array(32).fill(0xff))).toBe('7'.repeat(51) + 'Q');
    expect(base32(new Uint8Array(32))).toBe('A'.repeat(52));
  });
});

describe('generateIdentity', () => {
  it('makes a certificate whose hash is the device ID, and a matching key', async () => {
    const identity = await generateIdentity('Ann\'s laptop, "work"');
    expect(identity.deviceId).toMatch(/^[A-Z2-7]{52}$/);
    expect(deviceIdOfCert(identity.certPem)).toBe(identity.deviceId);
    const cert = new X509Certificate(identity.certPem);
    expect(deviceIdOfCert(cert.raw)).toBe(identity.deviceId);
    expect(cert.subject).toContain('O=Lanfold');
    expect(cert.checkPrivateKey(createPrivateKey(identity.keyPem))).toBe(true);
    expect(cert.verify(createPublicKey(identity.certPem))).toBe(true);
    expect(cert.ca).toBe(false);
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(2099);
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(Date.now());
  });

  it('gives every device a different ID', async () => {
    const [a, b] = await Promise.all([generateIdentity('x'), generateIdentity('x')]);
    expect(a.deviceId).not.toBe(b.deviceId);
  });
});

describe('deviceIdOfCert', () => {
  it('hashes the DER bytes, so any change of the certificate changes the ID', async () => {
    const { certPem } = await generateIdentity('x');
    const der = Buffer.from(new X509Certificate(certPem).raw);
    const id = deviceIdOfCert(der);
    der[der.length - 1]! ^= 1;
    expect(deviceIdOfCert(der)).not.toBe(id);
  });
});

describe('parseDeviceId', () => {
  const grouped = formatDeviceId(SAMPLE);
  const accepted: [name: string, raw: string][] = [
    ['the compact form', SAMPLE],
    ['the grouped form', grouped],
    ['lower case', grouped.toLowerCase()],
    ['mixed case with spaces', grouped.replace(/-/g, ' ').toLowerCase()],
    ['surrounding white space', `  ${grouped}\n`],
  ];
  it.each(accepted)('accepts %s', (_name, raw) => {
    expect(parseDeviceId(raw)).toBe(SAMPLE);
  });

  const refused: [name: string, raw: string][] = [
    ['an empty string', ''],
    ['one character short', SAMPLE.slice(1)],
    ['one character long', SAMPLE + 'A'],
    ['the digit 0', '0' + SAMPLE.slice(1)],
    ['the digit 1', '1' + SAMPLE.slice(1)],
    ['the digit 8', SAMPLE.slice(0, 51) + '8'],
    ['punctuation', SAMPLE.slice(0, 51) + '.'],
    ['a hex SHA-256', 'a'.repeat(64)],
  ];
  it.each(refused)('refuses %s', (_name, raw) => {
    const err = lanfoldErrorOf(() => parseDeviceId(raw));
    expect(err.code).toBe('BAD_ARGUMENT');
    expect(err.message).toContain(JSON.stringify(raw));
  });
});

describe('formatDeviceId', () => {
  it('writes 13 groups of 4 joined by dashes, which parse back', () => {
    const grouped = formatDeviceId(SAMPLE);
    expect(grouped).toBe('ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD-EFGH-IJKL-MNOP-QRST');
    expect(grouped.split('-')).toHaveLength(13);
    expect(parseDeviceId(grouped)).toBe(SAMPLE);
  });

  it('shortens to the first two groups', () => {
    expect(shortDeviceId(SAMPLE)).toBe('ABCDEFGH');
  });
});
