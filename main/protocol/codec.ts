/**
 * Frames on the wire: a 4-byte big-endian length, then one MessagePack-encoded message.
 * The decoder refuses frames over MAX_FRAME_BYTES before buffering them, and validates
 * every message; any problem is a ProtocolError, after which the connection is closed.
 */
import { Packr, Unpackr } from 'msgpackr';
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
}
