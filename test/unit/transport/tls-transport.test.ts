/**
 * The TLS transport in-process: mutual authentication by device ID, the hello exchange,
 * and what a bad peer gets (untrusted: nothing; trusted but speaking garbage: an error and
 * a closed connection, with the transport still serving others).
 */
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../main/engine/logger.js';
import { encodeFrame, FrameDecoder } from '../../../main/protocol/codec.js';
import type { Message } from '../../../main/protocol/messages.js';
import { generateIdentity, type Identity } from '../../../main/transport/identity.js';
import type { TlsLink } from '../../../main/transport/tls-link.js';
import { Transport } from '../../../main/transport/transport.js';
import { PROTOCOL_VERSION } from '../../../main/version.js';

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly obj: object;
}

function captureLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (obj: object, msg = ''): void => {
      lines.push({ level, msg, obj });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

let server: Identity;
let client: Identity;
let stranger: Identity;
const transports: Transport[] = [];
const sockets: tls.TLSSocket[] = [];

beforeAll(async () => {
  [server, client, stranger] = await Promise.all([
    generateIdentity('server'),
    generateIdentity('client'),
    generateIdentity('stranger'),
  ]);
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

function makeTransport(
  identity: Identity,
  trusted: readonly string[],
  logs: LogLine[],
  links: TlsLink[],
): Transport {
  const t = new Transport({
    certPem: identity.certPem,
    keyPem: identity.keyPem,
    deviceId: identity.deviceId,
    name: `name-${identity.deviceId.slice(0, 4)}`,
    isTrusted: (id) => trusted.includes(id),
    onLink: (link) => links.push(link),
    logger: captureLogger(logs),
  });
  transports.push(t);
  return t;
}

/** A raw TLS client: collects every application byte it receives. */
async function rawClient(
  identity: Identity | undefined,
  port: number,
): Promise<{ socket: tls.TLSSocket; received: Buffer[]; closed: Promise<void> }> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port,
    ...(identity ? { cert: identity.certPem, key: identity.keyPem } : {}),
    rejectUnauthorized: false,
    minVersion: 'TLSv1.3',
    checkServerIdentity: () => undefined,
  });
  sockets.push(socket);
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received, closed };
}

function messagesOf(received: readonly Buffer[]): Message[] {
  return new FrameDecoder().push(Buffer.concat(received));
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Transport', () => {
  it('connects two trusted devices, exchanges hello and carries messages both ways', async () => {
    const serverLinks: TlsLink[] = [];
    const clientLinks: TlsLink[] = [];
    const a = makeTransport(server, [client.deviceId], [], serverLinks);
    const b = makeTransport(client, [server.deviceId], [], clientLinks);
    const port = await a.listen('127.0.0.1', 0);
    const link = await b.dial(server.deviceId, '127.0.0.1', port);
    await until(() => serverLinks.length === 1);
    const inbound = serverLinks[0]!;
    expect(inbound.deviceId).toBe(client.deviceId);
    expect(inbound.name).toBe(`name-${client.deviceId.slice(0, 4)}`);
    expect(link.deviceId).toBe(server.deviceId);
    const got: Message[] = [];
    inbound.onMessage((m) => got.push(m));
    link.send({ t: 'subscribe', folder: 'f1', have: 3 });
    await until(() => got.length === 1);
    expect(got[0]).toEqual({ t: 'subscribe', folder: 'f1', have: 3 });
  });

  it('tells the sender when a data message has been handed to the socket, and carries its bytes intact', async () => {
    const serverLinks: TlsLink[] = [];
    const a = makeTransport(server, [client.deviceId], [], serverLinks);
    const b = makeTransport(client, [server.deviceId], [], []);
    const port = await a.listen('127.0.0.1', 0);
    const link = await b.dial(server.deviceId, '127.0.0.1', port);
    await until(() => serverLinks.length === 1);
    const got: Message[] = [];
    serverLinks[0]!.onMessage((m) => got.push(m));
    const data = Buffer.alloc(200_000);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    const expected = Buffer.from(data);
    let written = 0;
    link.send({ t: 'data', folder: 'f1', id: 1, data }, () => {
      written++;
      data.fill(0); // the sender may reuse the buffer now: what was sent must not change
    });
    link.send({ t: 'heartbeat', folder: 'f1', version: 1 }, () => written++);
    await until(() => got.length === 2 && written === 2);
    const m = got[0]!;
    expect(m.t === 'data' && Buffer.from(m.data).equals(expected)).toBe(true);
  });

  it('refuses to dial a device whose certificate is not the expected one', async () => {
    const a = makeTransport(server, [client.deviceId], [], []);
    const b = makeTransport(client, [stranger.deviceId], [], []);
    const port = await a.listen('127.0.0.1', 0);
    await expect(b.dial(stranger.deviceId, '127.0.0.1', port)).rejects.toThrow(/not /);
  });

  it('sends an untrusted device no application byte and logs the refusal', async () => {
    const logs: LogLine[] = [];
    const links: TlsLink[] = [];
    const a = makeTransport(server, [client.deviceId], logs, links);
    const port = await a.listen('127.0.0.1', 0);
    const c = await rawClient(stranger, port);
    c.socket.write(encodeFrame({ t: 'hello', protocol: PROTOCOL_VERSION, name: 'x', app: 'x' }));
    c.socket.write(encodeFrame({ t: 'subscribe', folder: 'f1', have: 0 }));
    await c.closed;
    expect(Buffer.concat(c.received).length).toBe(0);
    expect(links).toHaveLength(0);
    expect(
      logs.some(
        (l) => l.level === 'warn' && /refused a connection from an untrusted device/.test(l.msg),
      ),
    ).toBe(true);
  });

  it('hands an untrusted device to pairing only while an invite is open, never to onLink', async () => {
    const links: TlsLink[] = [];
    const pairing: TlsLink[] = [];
    let open = true;
    const a = new Transport({
      certPem: server.certPem,
      keyPem: server.keyPem,
      deviceId: server.deviceId,
      name: 'server',
      isTrusted: () => false,
      onLink: (link) => links.push(link),
      acceptUntrusted: () => open,
      onPairingLink: (link) => pairing.push(link),
      logger: captureLogger([]),
    });
    transports.push(a);
    const b = makeTransport(stranger, [], [], []);
    const port = await a.listen('127.0.0.1', 0);
    const joinerLink = await b.dialForPairing('127.0.0.1', port);
    await until(() => pairing.length === 1);
    expect(joinerLink.deviceId).toBe(server.deviceId);
    expect(pairing[0]!.deviceId).toBe(stranger.deviceId);
    expect(links).toHaveLength(0);
    open = false;
    const c = await rawClient(stranger, port);
    await c.closed;
    expect(Buffer.concat(c.received).length).toBe(0);
    expect(pairing).toHaveLength(1);
  });

  it('closes a connection that presents no certificate', async () => {
    const links: TlsLink[] = [];
    const a = makeTransport(server, [client.deviceId], [], links);
    const port = await a.listen('127.0.0.1', 0);
    const c = await rawClient(undefined, port);
    await c.closed;
    expect(Buffer.concat(c.received).length).toBe(0);
    expect(links).toHaveLength(0);
  });

  it('answers a trusted peer that does not start with hello with an error, and closes', async () => {
    const links: TlsLink[] = [];
    const a = makeTransport(server, [client.deviceId], [], links);
    const port = await a.listen('127.0.0.1', 0);
    const c = await rawClient(client, port);
    c.socket.write(encodeFrame({ t: 'subscribe', folder: 'f1', have: 0 }));
    await c.closed;
    const got = messagesOf(c.received);
    expect(got.map((m) => m.t)).toEqual(['hello', 'error']);
    expect(links).toHaveLength(0);
  });

  it('refuses another protocol version', async () => {
    const links: TlsLink[] = [];
    const a = makeTransport(server, [client.deviceId], [], links);
    const port = await a.listen('127.0.0.1', 0);
    const c = await rawClient(client, port);
    c.socket.write(
      encodeFrame({ t: 'hello', protocol: PROTOCOL_VERSION + 1, name: 'x', app: 'x' }),
    );
    await c.closed;
    const got = messagesOf(c.received);
    expect(got[1]).toMatchObject({
      t: 'error',
      reason: expect.stringMatching(/not supported/) as unknown,
    });
    expect(links).toHaveLength(0);
  });

  it('closes only the connection that sends a bad frame, and keeps serving', async () => {
    const logs: LogLine[] = [];
    const links: TlsLink[] = [];
    const a = makeTransport(server, [client.deviceId], logs, links);
    const port = await a.listen('127.0.0.1', 0);
    const good = await rawClient(client, port);
    good.socket.write(
      encodeFrame({ t: 'hello', protocol: PROTOCOL_VERSION, name: 'good', app: 'x' }),
    );
    await until(() => links.length === 1);
    const received: Message[] = [];
    links[0]!.onMessage((m) => received.push(m));

    const bodies = [
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0, 0, 0, 0]),
      Buffer.from([0, 0, 0, 2, 0xc1, 0xc1]),
    ];
    for (const body of bodies) {
      const bad = await rawClient(client, port);
      bad.socket.write(
        encodeFrame({ t: 'hello', protocol: PROTOCOL_VERSION, name: 'bad', app: 'x' }),
      );
      bad.socket.write(body);
      await bad.closed;
      const got = messagesOf(bad.received);
      expect(got.map((m) => m.t)).toEqual(['hello', 'error']);
    }
    // The first (good) connection was replaced by nothing: it still works.
    good.socket.write(encodeFrame({ t: 'ack', folder: 'f1', version: 1 }));
    await until(() => received.length === 1);
    expect(logs.filter((l) => /protocol error/.test(l.msg))).toHaveLength(3);
  });

  it('does not hand over a link for a peer that never says hello (after the timeout)', async () => {
    const links: TlsLink[] = [];
    const a = makeTransport(server, [client.deviceId], [], links);
    const port = await a.listen('127.0.0.1', 0);
    const c = await rawClient(client, port);
    // Half a frame, then silence: nothing is handed over meanwhile.
    c.socket.write(
      encodeFrame({ t: 'hello', protocol: PROTOCOL_VERSION, name: 'slow', app: 'x' }).subarray(
        0,
        10,
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(links).toHaveLength(0);
    c.socket.destroy();
    await c.closed;
  });
});
