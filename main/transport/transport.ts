/**
 * TLS 1.3 connections between devices, mutually authenticated by certificate: a peer's
 * device ID is the SHA-256 of its certificate, and a peer whose ID is not trusted is
 * disconnected right after the handshake, before a single message is sent. After the
 * handshake both sides exchange `hello` (protocol version, name); then the link is
 * handed to the daemon. The one exception is pairing: while an invite is open
 * (`acceptUntrusted`), an untrusted device's link goes to `onPairingLink`, which lets it
 * speak the pairing messages only.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../engine/logger.js';
import { LANFOLD_VERSION, PROTOCOL_VERSION } from '../version.js';
import { deviceIdOfCert } from './identity.js';
import { TlsLink } from './tls-link.js';

export interface TransportOptions {
  readonly certPem: string;
  readonly keyPem: string;
  readonly deviceId: string;
  readonly name: string;
  readonly isTrusted: (deviceId: string) => boolean;
  /** A connection that passed authentication and hello, inbound or outbound. */
  readonly onLink: (link: TlsLink, inbound: boolean) => void;
  /** True while a pairing invite is open: untrusted devices may then connect to pair. */
  readonly acceptUntrusted?: () => boolean;
  /** An untrusted device's link (after hello), accepted for pairing only. */
  readonly onPairingLink?: (link: TlsLink, remoteHost: string | undefined) => void;
  readonly logger: Logger;
}

const HELLO_TIMEOUT_MS = 10_000;

export class Transport {
  private server: tls.Server | undefined;
  private readonly sockets = new Set<tls.TLSSocket>();

  constructor(private readonly options: TransportOptions) {}

  /** Starts accepting connections; resolves with the bound port. */
  async listen(host: string, port: number): Promise<number> {
    const server = tls.createServer({
      cert: this.options.certPem,
      key: this.options.keyPem,
      requestCert: true,
      rejectUnauthorized: false, // self-signed certificates: the device ID is checked below
      minVersion: 'TLSv1.3',
    });
    server.on('secureConnection', (socket) => this.accept(socket));
    server.on('tlsClientError', (err) =>
      this.options.logger.debug({ err: err.message }, 'TLS handshake failed'),
    );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as net.AddressInfo).port;
  }

  private accept(socket: tls.TLSSocket): void {
    const raw = socket.getPeerCertificate(true).raw as Buffer | undefined;
    if (!raw) {
      socket.destroy();
      return;
    }
    const peerId = deviceIdOfCert(raw);
    const trusted = this.options.isTrusted(peerId);
    if (!trusted && this.options.acceptUntrusted?.() && this.options.onPairingLink) {
      const onPairing = this.options.onPairingLink;
      this.track(socket);
      this.options.logger.info(
        { peer: peerId, address: socket.remoteAddress },
        'an untrusted device connected while an invite is open: pairing only',
      );
      this.handshake(socket, peerId)
        .then((link) => onPairing(link, socket.remoteAddress))
        .catch(() => socket.destroy());
      return;
    }
    if (!trusted) {
      this.options.logger.warn(
        { peer: peerId, address: socket.remoteAddress },
        'refused a connection from an untrusted device',
      );
      socket.destroy();
      return;
    }
    this.track(socket);
    this.handshake(socket, peerId)
      .then((link) => this.options.onLink(link, true))
      .catch((err: unknown) => {
        this.options.logger.warn({ peer: peerId, err: String(err) }, 'hello failed');
        // The link was closed gracefully (its `error` answer still flushing); destroying the
        // socket now would drop that answer, so only make sure it goes away soon.
        setTimeout(() => socket.destroy(), 1000).unref();
      });
  }

  /** Connects to the device `deviceId` at host:port; resolves with the link once hello is done. */
  dial(deviceId: string, host: string, port: number): Promise<TlsLink> {
    return this.connect(deviceId, host, port);
  }

  /**
   * Connects to whatever device listens at host:port, to pair with it: the link is not
   * handed to `onLink` (it carries pairing messages only) and the caller owns it.
   */
  dialForPairing(host: string, port: number): Promise<TlsLink> {
    return this.connect(undefined, host, port);
  }

  private connect(deviceId: string | undefined, host: string, port: number): Promise<TlsLink> {
    return new Promise<TlsLink>((resolve, reject) => {
      const socket = tls.connect({
        host,
        port,
        cert: this.options.certPem,
        key: this.options.keyPem,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.3',
        checkServerIdentity: () => undefined,
      });
      this.track(socket);
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        const raw = socket.getPeerCertificate(true).raw as Buffer | undefined;
        const peerId = raw ? deviceIdOfCert(raw) : '';
        if (deviceId === undefined ? peerId === '' : peerId !== deviceId) {
          socket.destroy();
          reject(
            new Error(
              `the device at ${host}:${port} is ${peerId.slice(0, 8) || 'unknown'}, not ${deviceId?.slice(0, 8) ?? 'a Lanfold device'}`,
            ),
          );
          return;
        }
        this.handshake(socket, peerId).then((link) => {
          socket.off('error', reject);
          if (deviceId !== undefined) this.options.onLink(link, false);
          resolve(link);
        }, reject);
      });
    });
  }

  private track(socket: tls.TLSSocket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** Sends our hello and waits for the peer's; the link is returned with the peer's name. */
  private handshake(socket: tls.TLSSocket, peerId: string): Promise<TlsLink> {
    const link = new TlsLink(socket, peerId, '', this.options.logger);
    link.send({
      t: 'hello',
      protocol: PROTOCOL_VERSION,
      name: this.options.name,
      app: LANFOLD_VERSION,
    });
    return new Promise<TlsLink>((resolve, reject) => {
      const timer = setTimeout(() => {
        link.close('no hello');
        reject(new Error('no hello within 10 s'));
      }, HELLO_TIMEOUT_MS);
      link.onClose((reason) => {
        clearTimeout(timer);
        reject(new Error(reason));
      });
      link.onMessage((m) => {
        clearTimeout(timer);
        if (m.t !== 'hello' || m.protocol !== PROTOCOL_VERSION) {
          const reason =
            m.t === 'hello'
              ? `protocol ${m.protocol} is not supported (this device speaks ${PROTOCOL_VERSION})`
              : 'expected hello';
          link.send({ t: 'error', reason });
          link.close(reason);
          reject(new Error(reason));
          return;
        }
        link.name = m.name;
        link.pause();
        resolve(link);
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
