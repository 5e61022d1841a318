import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { bulkBuffers, frameBuffers } from '../../../main/engine/buffer-pool.js';
import {
  decodeBody,
  encodeFrame,
  encodeFrameParts,
  FrameDecoder,
} from '../../../main/protocol/codec.js';
import { Message, MAX_FRAME_BYTES, ProtocolError } from '../../../main/protocol/messages.js';
import { HASH_A, rel, sampleMessages } from './samples.js';

/** A raw msgpack encoder that does not validate (to build frames a peer must refuse). */
const rawPackr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false });

function frameOf(body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

function rawFrame(value: unknown): Buffer {
  return frameOf(rawPackr.pack(value));
}

/** The ProtocolError `fn` throws; fails on any other outcome. */
function protocolErrorOf(fn: () => unknown): ProtocolError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a ProtocolError').toBeInstanceOf(ProtocolError);
  return caught as ProtocolError;
}

/** Buffers and Uint8Arrays compare by content (decoded bytes come back as Buffers). */
function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('hex') };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

describe('encodeFrame / decodeBody', () => {
  it('has a sample for every message type', () => {
    const types = Message.options.map((o) => o.shape.t.value).sort();
    expect([...new Set(sampleMessages().map((m) => m.t))].sort()).toEqual(types);
  });

  it.each(sampleMessages().map((m) => [m.t, m] as const))('round-trips %s', (_t, message) => {
    const frame = encodeFrame(message);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(normalise(decodeBody(frame.subarray(4)))).toEqual(normalise(message));
  });

  // Golden frames: if one of these changes, the wire format changed (bump PROTOCOL_VERSION).
  const golden: [Message, string][] = [
    [
      { t: 'hello', protocol: 1, name: 'ann', app: '0.1.0' },
      '00000028de0004a174a568656c6c6fa870726f746f636f6c01a46e616d65a3616e6ea3617070a5302e312e30',
    ],
    [
      { t: 'heartbeat', folder: 'f1', version: 5 },
      '00000022de0003a174a9686561727462656174a6666f6c646572a26631a776657273696f6e05',
    ],
    [
      { t: 'get', folder: 'docs', id: 7, path: rel('a/b.txt'), version: 3, index: 0, hash: HASH_A },
      '0000007dde0007a174a3676574a6666f6c646572a4646f6373a2696407a470617468a7612f622e747874a776657273696f6e03a5696e64657800a468617368d940' +
        '61626162'.repeat(16),
    ],
    [
      {
        t: 'get',
        folder: 'docs',
        id: 8,
        path: rel('a/b.txt'),
        version: 3,
        index: 4,
        hash: HASH_A,
        count: 16,
      },
      '00000084de0008a174a3676574a6666f6c646572a4646f6373a2696408a470617468a7612f622e747874a776657273696f6e03a5696e64657804a468617368d940' +
        '61626162'.repeat(16) +
        'a5636f756e7410',
    ],
    [
      { t: 'data', folder: 'f1', id: 1, data: Buffer.from([1, 2, 3]) },
      '00000022de0004a174a464617461a6666f6c646572a26631a2696401a464617461c403010203',
    ],
    [
      { t: 'delta-end', folder: 'f1', id: 2, from: 0, to: 4294967296, createdAt: 1700000000000 },
      '00000042de0006a174a964656c74612d656e64a6666f6c646572a26631a2696402a466726f6d00a2746fcb41f0000000000000a9637265617465644174cb4278bcfe56800000',
    ],
  ];
  it.each(golden.map(([m, hex]) => [m.t, m, hex] as const))(
    'encodes %s as the golden bytes',
    (_t, message, hex) => {
      expect(encodeFrame(message).toString('hex')).toBe(hex);
      expect(normalise(new FrameDecoder().push(Buffer.from(hex, 'hex')))).toEqual([
        normalise(message),
      ]);
    },
  );

  it('refuses to encode a message larger than a frame', () => {
    const huge: Message = {
      t: 'delta-part',
      folder: 'f1',
      id: 1,
      entries: [],
      texts: [
        {
          path: rel('a.txt'),
          baseHash: HASH_A,
          hash: HASH_A,
          edits: [[1, 'x'.repeat(MAX_FRAME_BYTES)]],
        },
      ],
      inline: [],
    };
    expect(protocolErrorOf(() => encodeFrame(huge)).message).toMatch(/exceeds the frame limit/);
  });

  it('turns undecodable or invalid bodies into ProtocolErrors', () => {
    const cases: Buffer[] = [
      Buffer.from([0xc1]), // never-used msgpack byte
      Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), // array32 of 4 billion items, no items
      Buffer.from([0xdb, 0x7f, 0xff, 0xff, 0xff]), // str32 longer than the frame
      Buffer.from([0xd4, 0x05, 0x00]), // unknown extension type
      Buffer.from([0xc7, 0x08, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]), // timestamp extension
      Buffer.alloc(200_000, 0x91), // 200,000 nested one-element arrays
      rawPackr.pack('hello'),
      rawPackr.pack(null),
      rawPackr.pack([{ t: 'hello' }]),
      rawPackr.pack({ t: 'nope' }),
      rawPackr.pack({ protocol: 1 }),
      rawPackr.pack({ t: 'hello', protocol: 1, name: 'a', app: 'b', extra: 1 }),
      rawPackr.pack({ t: 'heartbeat', folder: 'f1', version: 2n ** 63n }),
      rawPackr.pack({ t: 'heartbeat', folder: 'f1', version: -1 }),
      rawPackr.pack({ t: 'heartbeat', folder: 'f1', version: 1.5 }),
      rawPackr.pack({ t: 'heartbeat', folder: 'f1', version: Number.NaN }),
      rawPackr.pack({ t: 'heartbeat', folder: '../f1', version: 1 }),
      rawPackr.pack({ t: 'heartbeat', folder: 'f'.repeat(65), version: 1 }),
      rawPackr.pack({
        t: 'get',
        folder: 'f1',
        id: 1,
        path: '../../etc/passwd',
        version: 1,
        index: 0,
        hash: HASH_A,
      }),
      rawPackr.pack({ t: 'data', folder: 'f1', id: 1, data: 'not bytes' }),
      rawPackr.pack({ t: 'data', folder: 'f1', id: 1, data: Buffer.alloc(1024 * 1024 + 1) }),
      Buffer.concat([encodeFrame({ t: 'error', reason: 'x' }).subarray(4), Buffer.from([0x00])]), // trailing byte
    ];
    for (const body of cases) protocolErrorOf(() => decodeBody(body));
  });

  it('does not let a __proto__ key reach an object prototype', () => {
    const body = Buffer.concat([
      Buffer.from([0x83]),
      rawPackr.pack('t'),
      rawPackr.pack('heartbeat'),
      rawPackr.pack('__proto__'),
      rawPackr.pack({ polluted: true }),
      rawPackr.pack('folder'),
      rawPackr.pack('f1'),
    ]);
    let decoded: unknown;
    try {
      decoded = decodeBody(body);
    } catch (err) {
      expect(err).toBeInstanceOf(ProtocolError);
    }
    expect(decoded).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('either decodes a valid message or throws a ProtocolError, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        try {
          Message.parse(decodeBody(Buffer.from(bytes)));
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('either decodes or throws a ProtocolError for every single-byte mutation of valid frames', () => {
    for (const message of sampleMessages()) {
      const body = encodeFrame(message).subarray(4);
      for (let i = 0; i < body.length; i++) {
        for (const value of [0x00, 0xff, body[i]! ^ 0x01, 0xc1, 0xdf]) {
          const mutated = Buffer.from(body);
          mutated[i] = value;
          try {
            decodeBody(mutated);
          } catch (err) {
            expect(err).toBeInstanceOf(ProtocolError);
          }
        }
      }
    }
  });
});

describe('encodeFrameParts', () => {
  it.each(sampleMessages().map((m) => [m.t, m] as const))(
    'writes the same bytes as encodeFrame for %s',
    (_t, message) => {
      expect(Buffer.concat(encodeFrameParts(message)).toString('hex')).toBe(
        encodeFrame(message).toString('hex'),
      );
    },
  );

  it('sends the chunk bytes of a data message without copying them', () => {
    const data = Buffer.alloc(70_000, 7); // over 64 KiB: a bin 32 either way
    const parts = encodeFrameParts({ t: 'data', folder: 'f1', id: 9, data });
    expect(parts).toHaveLength(2);
    expect(parts[1]!.buffer).toBe(data.buffer);
    const frame = Buffer.concat(parts);
    expect(frame.toString('hex')).toBe(
      encodeFrame({ t: 'data', folder: 'f1', id: 9, data }).toString('hex'),
    );
    const decoded = decodeBody(frame.subarray(4));
    expect(decoded.t === 'data' && Buffer.from(decoded.data).equals(data)).toBe(true);
  });

  it('round-trips data messages of any size through the decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(1_000_000), (bytes, id) => {
        const frame = Buffer.concat(
          encodeFrameParts({ t: 'data', folder: 'x', id, data: Buffer.from(bytes) }),
        );
        const [m] = new FrameDecoder().push(frame);
        expect(m?.t === 'data' && m.id === id && Buffer.from(m.data).equals(bytes)).toBe(true);
      }),
    );
  });
});

describe('FrameDecoder', () => {
  const messageArb = fc.constantFrom(...sampleMessages());

  it('reassembles frames split at arbitrary boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(messageArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 40 }),
        (messages, cuts) => {
          const stream = Buffer.concat(messages.map(encodeFrame));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const decoder = new FrameDecoder();
          const out: Message[] = [];
          let at = 0;
          for (const p of [...points, stream.length]) {
            out.push(...decoder.push(stream.subarray(at, p)));
            at = p;
          }
          expect(decoder.buffered).toBe(0);
          expect(out.map(normalise)).toEqual(messages.map(normalise));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reassembles a stream fed one byte at a time', () => {
    const messages = sampleMessages();
    const stream = Buffer.concat(messages.map(encodeFrame));
    const decoder = new FrameDecoder();
    const out: Message[] = [];
    for (let i = 0; i < stream.length; i++) {
      const got = decoder.push(stream.subarray(i, i + 1));
      out.push(...got);
      if (i < 3) expect(got).toEqual([]);
    }
    expect(out.map(normalise)).toEqual(messages.map(normalise));
  });

  it('gathers a large frame split in pieces into a pooled buffer, leaving the next frame intact', () => {
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const next = encodeFrame({ t: 'heartbeat', folder: 'f1', version: 3 });
    const stream = Buffer.concat([
      ...encodeFrameParts({ t: 'data', folder: 'f1', id: 5, data }),
      next,
    ]);
    const decoder = new FrameDecoder();
    const out: Message[] = [];
    // pieces of 16 KiB, the last one ending inside the heartbeat
    for (let at = 0; at < stream.length - 5; at += 16_384)
      out.push(...decoder.push(stream.subarray(at, Math.min(at + 16_384, stream.length - 5))));
    out.push(...decoder.push(stream.subarray(stream.length - 5)));
    expect(out.map((m) => m.t)).toEqual(['data', 'heartbeat']);
    const m = out[0]!;
    if (m.t !== 'data') throw new Error('expected data');
    expect(Buffer.from(m.data).equals(data)).toBe(true);
    expect(m.data.buffer.byteLength).toBe(bulkBuffers.capacity);
    // given back, the same buffer carries the next large frame
    const idle = bulkBuffers.idle;
    bulkBuffers.release(m.data);
    expect(bulkBuffers.idle).toBe(idle + 1);
    const again = new FrameDecoder();
    const half = stream.length >> 1;
    again.push(stream.subarray(0, half));
    const [m2] = again.push(stream.subarray(half));
    expect(m2?.t === 'data' && m2.data.buffer === m.data.buffer).toBe(true);
    expect(m2?.t === 'data' && Buffer.from(m2.data).equals(data)).toBe(true);
  });

  it('gathers a frame larger than a chunk run (a delta part) into the frame pool, reused once given back', () => {
    const inline = Array.from({ length: 40 }, (_, i) => ({
      hash: i.toString(16).padStart(64, '0'),
      data: Buffer.alloc(60_000, i),
    }));
    const frame = encodeFrame({
      t: 'delta-part',
      folder: 'f1',
      id: 9,
      entries: [],
      texts: [],
      inline,
    });
    expect(frame.length).toBeGreaterThan(bulkBuffers.capacity);
    const decode = (): Message => {
      const decoder = new FrameDecoder();
      const out: Message[] = [];
      for (let at = 0; at < frame.length; at += 65_536)
        out.push(...decoder.push(frame.subarray(at, at + 65_536)));
      expect(out).toHaveLength(1);
      return out[0]!;
    };
    const m = decode();
    if (m.t !== 'delta-part') throw new Error('expected delta-part');
    expect(Buffer.from(m.inline[39]!.data).equals(Buffer.alloc(60_000, 39))).toBe(true);
    expect(m.inline[0]!.data.buffer.byteLength).toBe(frameBuffers.capacity);
    const idle = frameBuffers.idle;
    frameBuffers.release(m.inline[0]!.data);
    expect(frameBuffers.idle).toBe(idle + 1);
    const m2 = decode();
    expect(m2.t === 'delta-part' && m2.inline[0]!.data.buffer === m.inline[0]!.data.buffer).toBe(
      true,
    );
  });

  it('keeps a partial frame until it is complete', () => {
    const frame = encodeFrame({ t: 'heartbeat', folder: 'f1', version: 1 });
    const decoder = new FrameDecoder();
    expect(decoder.push(frame.subarray(0, frame.length - 1))).toEqual([]);
    expect(decoder.buffered).toBe(frame.length - 1);
    expect(decoder.push(frame.subarray(frame.length - 1))).toHaveLength(1);
    expect(decoder.buffered).toBe(0);
  });

  it('refuses an oversized length prefix as soon as the prefix arrives', () => {
    for (const length of [MAX_FRAME_BYTES + 1, 0x7fffffff, 0xffffffff]) {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(length, 0);
      const decoder = new FrameDecoder();
      expect(decoder.push(head.subarray(0, 3))).toEqual([]);
      expect(protocolErrorOf(() => decoder.push(head.subarray(3))).message).toMatch(
        /exceeds the limit/,
      );
    }
  });

  it('accepts a length prefix of exactly the limit (and waits for the body)', () => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(MAX_FRAME_BYTES, 0);
    const decoder = new FrameDecoder();
    expect(decoder.push(head)).toEqual([]);
    expect(decoder.buffered).toBe(4);
  });

  it('refuses an empty frame', () => {
    expect(protocolErrorOf(() => new FrameDecoder().push(Buffer.alloc(4))).message).toMatch(
      /empty frame/,
    );
  });

  it('refuses a frame whose body is a valid message followed by garbage of the declared length', () => {
    const good = encodeFrame({ t: 'ack', folder: 'f1', version: 1 });
    const body = Buffer.concat([good.subarray(4), Buffer.from('junk')]);
    protocolErrorOf(() => new FrameDecoder().push(frameOf(body)));
  });

  it('returns the messages before a bad frame only through the error (nothing after it is decoded)', () => {
    const decoder = new FrameDecoder();
    const stream = Buffer.concat([
      rawFrame({ t: 'heartbeat', folder: 'bad folder!', version: 1 }),
      encodeFrame({ t: 'ack', folder: 'f1', version: 1 }),
    ]);
    expect(protocolErrorOf(() => decoder.push(stream)).message).toMatch(
      /bad heartbeat message at folder/,
    );
  });

  it('throws only ProtocolErrors for random byte streams in random pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (pieces) => {
        const decoder = new FrameDecoder();
        try {
          for (const p of pieces) decoder.push(Buffer.from(p));
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
