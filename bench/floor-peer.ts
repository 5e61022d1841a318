/**
 * One side of `npm run bench -- floor`: the least a Lanfold-like transfer does in Node. The
 * sender streams every file of a folder over one TLS 1.3 connection (no requests, no log, no
 * staging); the receiver hashes each file with SHA-256, writes it, and makes the folder
 * durable with one `sync -f`. Lanfold does all of that and more, so this is its floor here.
 *
 *   node dist/bench/floor-peer.js send DIR PORT CERT KEY   (prints "ready PORT" once listening; PORT 0: any)
 *   node dist/bench/floor-peer.js receive DEST PORT        (prints one JSON line: files, bytes; the
 *                                                          caller times it from spawning it)
 */
import { execFileSync } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writevSync,
} from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';

const HEADER_BYTES = 12;
const WRITE_BYTES = 1024 * 1024;

function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(path.join(root, r)).isDirectory()) out.push(...walk(root, r));
    else out.push(r);
  }
  return out;
}

function send(dir: string, port: number, certPem: string, keyPem: string): void {
  const files = walk(dir);
  const server = tls.createServer(
    { cert: certPem, key: keyPem, minVersion: 'TLSv1.3' },
    (socket) => {
      socket.setNoDelay(true);
      const free: Buffer[] = Array.from({ length: 8 }, () => Buffer.allocUnsafe(WRITE_BYTES));
      const waiters: ((block: Buffer) => void)[] = [];
      void (async () => {
        for (const f of files) {
          const fd = openSync(path.join(dir, f), 'r');
          const size = fstatSync(fd).size;
          const name = Buffer.from(f);
          const header = Buffer.alloc(HEADER_BYTES);
          header.writeUInt32LE(name.length, 0);
          header.writeDoubleLE(size, 4);
          socket.write(header);
          socket.write(name);
          // In pieces of at most 1 MiB, as Lanfold reads and sends runs, from a few buffers
          // used again once the socket is done with them (fresh ones cost page faults).
          for (let at = 0; at < size;) {
            const block =
              free.pop() ?? (await new Promise<Buffer>((resolve) => waiters.push(resolve)));
            const piece = block.subarray(0, Math.min(WRITE_BYTES, size - at));
            at += readSync(fd, piece, 0, piece.length, at);
            socket.write(piece, () => {
              const next = waiters.shift();
              if (next) next(block);
              else free.push(block);
            });
          }
          closeSync(fd);
        }
        socket.end();
        server.close();
      })();
    },
  );
  server.listen(port, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : port}\n`);
  });
}

interface OpenFile {
  readonly fd: number;
  readonly hash: Hash;
  left: number;
  at: number;
  parts: Buffer[];
  pending: number;
}

function receive(dest: string, port: number): void {
  mkdirSync(dest, { recursive: true });
  const dirs = new Set<string>();
  let files = 0;
  let bytes = 0;
  let rest: Buffer = Buffer.alloc(0);
  let current: OpenFile | undefined;
  const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  socket.on('data', (data: Buffer) => {
    rest = rest.length > 0 ? Buffer.concat([rest, data]) : data;
    for (;;) {
      if (!current) {
        if (rest.length < HEADER_BYTES) return;
        const nameBytes = rest.readUInt32LE(0);
        if (rest.length < HEADER_BYTES + nameBytes) return;
        const size = rest.readDoubleLE(4);
        const target = path.join(
          dest,
          rest.toString('utf8', HEADER_BYTES, HEADER_BYTES + nameBytes),
        );
        rest = rest.subarray(HEADER_BYTES + nameBytes);
        const parent = path.dirname(target);
        if (!dirs.has(parent)) mkdirSync(parent, { recursive: true });
        dirs.add(parent);
        const file: OpenFile = {
          fd: openSync(target, 'w'),
          hash: createHash('sha256'),
          left: size,
          at: 0,
          parts: [],
          pending: 0,
        };
        current = file;
      }
      const n = Math.min(current.left, rest.length);
      if (n === 0 && current.left > 0) return;
      const piece = rest.subarray(0, n);
      rest = rest.subarray(n);
      current.hash.update(piece);
      current.parts.push(piece);
      current.pending += n;
      current.left -= n;
      bytes += n;
      if (current.pending >= WRITE_BYTES || current.left === 0) {
        writevSync(current.fd, current.parts, current.at);
        current.at += current.pending;
        current.parts = [];
        current.pending = 0;
      }
      if (current.left === 0) {
        current.hash.digest();
        closeSync(current.fd);
        current = undefined;
        files++;
      }
    }
  });
  socket.on('end', () => {
    execFileSync('sync', ['-f', dest]);
    process.stdout.write(`${JSON.stringify({ files, bytes })}\n`);
  });
}

const [mode, dir, portText, cert, key] = process.argv.slice(2);
const port = Number(portText);
if (mode === 'send' && dir && cert && key && port >= 0)
  send(dir, port, readFileSync(cert, 'utf8'), readFileSync(key, 'utf8'));
else if (mode === 'receive' && dir && port > 0) receive(dir, port);
else {
  process.stderr.write('usage: floor-peer.js send DIR PORT CERT KEY | receive DEST PORT\n');
  process.exitCode = 2;
}
