/**
 * A device's identity: an ECDSA P-256 key pair and a self-signed certificate, made once at
 * `lanfold init`. The device ID is the SHA-256 of the certificate (DER), shown in base32
 * in groups of four, so that a person can read it aloud and compare it.
 */
import { createHash, webcrypto, X509Certificate } from 'node:crypto';
import { LanfoldError } from '../engine/errors.js';

export type DeviceId = string & { readonly __brand: 'DeviceId' };

export interface Identity {
  readonly deviceId: DeviceId;
  readonly certPem: string;
  readonly keyPem: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 32 bytes of SHA-256 make 52 base32 characters, shown as 13 groups of 4. */
const ID_CHARS = 52;

export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET.charAt((value << (5 - bits)) & 31);
  return out;
}

/** The device ID of a certificate given as PEM or DER. */
export function deviceIdOfCert(cert: string | Buffer): DeviceId {
  const der = typeof cert === 'string' ? new X509Certificate(cert).raw : cert;
  return base32(createHash('sha256').update(der).digest()) as DeviceId;
}

/** Accepts an ID typed by a person (any case, with or without dashes or spaces). */
export function parseDeviceId(raw: string): DeviceId {
  const compact = raw.toUpperCase().replace(/[\s-]/g, '');
  if (compact.length !== ID_CHARS || !/^[A-Z2-7]+$/.test(compact)) {
    throw new LanfoldError(
      'BAD_ARGUMENT',
      `"${raw}" is not a device ID`,
      'a device ID has 52 letters and digits 2-7, as printed by `lanfold id`',
    );
  }
  return compact as DeviceId;
}

/** The readable grouped form: XXXX-XXXX-... (13 groups). */
export function formatDeviceId(id: DeviceId): string {
  return id.match(/.{1,4}/g)!.join('-');
}

/** A short form for lists and logs: the first two groups. */
export function shortDeviceId(id: DeviceId): string {
  return id.slice(0, 8);
}

export async function generateIdentity(name: string): Promise<Identity> {
  // Loaded here, not at the top: certificate building is needed only at `init`, and these
  // modules cost a noticeable part of every CLI start.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const serial = createHash('sha256')
    .update(webcrypto.getRandomValues(new Uint8Array(16)))
    .digest('hex')
    .slice(0, 16);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${serial}`,
    name: `CN=${escapeDn(name)}, O=Lanfold`,
    notBefore: new Date(Date.now() - 24 * 3600 * 1000),
    notAfter: new Date('2099-12-31T00:00:00Z'),
    signingAlgorithm: alg,
    keys,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  const certPem = cert.toString('pem');
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { deviceId: deviceIdOfCert(certPem), certPem, keyPem };
}

function escapeDn(value: string): string {
  return value.replace(/[,+"\\<>;=#]/g, (c) => `\\${c}`);
}
