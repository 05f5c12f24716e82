// The plaintext of a backup is a sequence of frames (docs/backup.md, "Format"):
//   type (1 byte) | payload length (uint32, big-endian) | payload
// 'T' starts a table (JSON: schema, table, columns), 'D' carries its COPY text, 'E' ends it, and a final
// 'M' holds the manifest's contents inside the authenticated envelope.
export const FRAME = { table: 'T', data: 'D', end: 'E', manifest: 'M' } as const;
export type FrameType = (typeof FRAME)[keyof typeof FRAME];

const HEADER_BYTES = 5;
const TYPES = new Set<string>(Object.values(FRAME));

export interface Frame {
  type: FrameType;
  payload: Buffer;
}

export function frame(type: FrameType, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

/** The frames of a plaintext stream, in order; fails on an unknown type or a frame cut short. */
export async function* readFrames(source: AsyncIterable<Buffer>): AsyncGenerator<Frame> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER_BYTES) {
      const type = pending.toString('latin1', 0, 1);
      if (!TYPES.has(type)) throw new Error(`unknown backup frame type ${JSON.stringify(type)}`);
      const length = pending.readUInt32BE(1);
      if (pending.length < HEADER_BYTES + length) break;
      yield { type: type as FrameType, payload: pending.subarray(HEADER_BYTES, HEADER_BYTES + length) };
      pending = pending.subarray(HEADER_BYTES + length);
    }
  }
  if (pending.length > 0) throw new Error(`the backup ends inside a frame (${pending.length} bytes left over)`);
}
