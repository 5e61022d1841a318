/**
 * Frames on the wire: a 4-byte big-endian length, then one MessagePack-encoded message.
 * The decoder refuses frames over MAX_FRAME_BYTES before buffering them, and validates
 * every message; any problem is a ProtocolError, after which the connection is closed.
 */
import { Packr, Unpackr } from 'msgpackr';
import { bulkBuffers, frameBuffers } from '../engine/buffer-pool.js';
import { MAX_FRAME_BYTES, parseMessage, ProtocolError, type Message } from './messages.js';

const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

/** Encodes one message as a frame (a fresh buffer the caller owns). */
export function encodeFrame(message: Message): Buffer {
  const body = packr.pack(message);
  if (body.length > MAX_FRAME_BYTES)
    throw new ProtocolError(`${message.t} message of ${body.length} bytes exceeds the frame limit`);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/**
 * Encodes one message as the pieces of a frame, to be written back to back. A `data` message
 * is laid out by hand so that its chunk bytes go out as they are (the last piece is the
 * caller's buffer), not copied twice through the encoder: the bytes on the wire are the same
 * as encodeFrame's (`data` is last in the map). Every other message is one piece.
 */
export function encodeFrameParts(message: Message): Buffer[] {
  if (message.t !== 'data') return [encodeFrame(message)];
  const { data, ...rest } = message;
  const head = packr.pack(rest);
  const binHead = binHeader(data.length);
  const bodyLength = head.length + DATA_KEY.length + binHead.length + data.length;
  if (bodyLength > MAX_FRAME_BYTES)
    throw new ProtocolError(`data message of ${bodyLength} bytes exceeds the frame limit`);
  const prefix = Buffer.allocUnsafe(4 + head.length + DATA_KEY.length + binHead.length);
  let at = prefix.writeUInt32BE(bodyLength, 0);
  at += head.copy(prefix, at);
  // The map gains the `data` entry: bump its entry count (fixmap or map 16).
  if (head[0] === 0x83) prefix[4] = 0x84;
  else if (head[0] === 0xde) prefix.writeUInt16BE(head.readUInt16BE(1) + 1, 5);
  else return [encodeFrame(message)];
  at += DATA_KEY.copy(prefix, at);
  binHead.copy(prefix, at);
  return [prefix, Buffer.from(data.buffer, data.byteOffset, data.byteLength)];
}

/** `data` as a MessagePack fixstr. */
const DATA_KEY = Buffer.from([0xa4, ...Buffer.from('data')]);

/** The MessagePack header of a byte string of `length` bytes (bin 8, 16 or 32). */
function binHeader(length: number): Buffer {
  if (length < 0x100) return Buffer.from([0xc4, length]);
  if (length < 0x10000) return Buffer.from([0xc5, length >> 8, length & 0xff]);
  const b = Buffer.allocUnsafe(5);
  b[0] = 0xc6;
  b.writeUInt32BE(length, 1);
  return b;
}

/**
 * A Buffer over the same bytes as a decoded byte string, without copying: the decoder hands
 * out views of frames it never reuses, so keeping the view keeps (only) that frame alive.
 */
export function bytesOf(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Decodes one frame body (without its length prefix). */
export function decodeBody(body: Buffer): Message {
  let value: unknown;
  try {
    value = unpackr.unpack(body);
  } catch (err) {
    throw new ProtocolError(
      `undecodable frame: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return parseMessage(value);
}

/** Splits a byte stream into validated messages. */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** Adds received bytes; returns every message they complete. Throws ProtocolError. */
  push(data: Buffer): Message[] {
    this.pending.push(data);
    this.pendingBytes += data.length;
    const out: Message[] = [];
    while (this.pendingBytes >= 4) {
      const head = this.peek(4);
      const length = head.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES)
        throw new ProtocolError(`frame of ${length} bytes exceeds the limit of ${MAX_FRAME_BYTES}`);
      if (length === 0) throw new ProtocolError('empty frame');
      if (this.pendingBytes < 4 + length) break;
      const frame = this.take(4 + length);
      out.push(decodeBody(frame.subarray(4)));
    }
    return out;
  }

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.pendingBytes;
  }

  private peek(n: number): Buffer {
    const first = this.pending[0]!;
    if (first.length >= n) return first;
    this.pending = [Buffer.concat(this.pending)];
    return this.pending[0]!;
  }

  private take(n: number): Buffer {
    let first = this.pending[0]!;
    if (first.length < n && n >= POOLED_FRAME_BYTES) return this.gather(n);
    if (first.length < n) {
      first = Buffer.concat(this.pending);
      this.pending = [first];
    }
    const frame = first.subarray(0, n);
    const rest = first.subarray(n);
    if (rest.length > 0) this.pending[0] = rest;
    else this.pending.shift();
    this.pendingBytes -= n;
    return frame;
  }

  /**
   * Copies the next `n` bytes into a pooled buffer: of the bulk pool up to a chunk run's
   * size (staging gives runs back once written), else of the frame pool (a replica gives a
   * delta part back once its inline files are staged). Only those bytes are copied, the
   * rest of the last piece stays pending as it is.
   */
  private gather(n: number): Buffer {
    const frame = (n <= bulkBuffers.capacity ? bulkBuffers : frameBuffers).take(n);
    let at = 0;
    while (at < n) {
      const piece = this.pending[0]!;
      const used = Math.min(piece.length, n - at);
      piece.copy(frame, at, 0, used);
      at += used;
      if (used === piece.length) this.pending.shift();
      else this.pending[0] = piece.subarray(used);
    }
    this.pendingBytes -= n;
    return frame;
  }
}

/** Frames from this size up are gathered into a pooled buffer instead of a fresh one. */
const POOLED_FRAME_BYTES = 64 * 1024;
