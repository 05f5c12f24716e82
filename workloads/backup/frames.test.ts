import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { FRAME, frame, readFrames } from './frames.js';
import type { Frame } from './frames.js';

async function collect(chunks: Buffer[]): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of readFrames(Readable.from(chunks))) out.push({ type: f.type, payload: Buffer.from(f.payload) });
  return out;
}

describe('backup frames', () => {
  const stream = Buffer.concat([
    frame(FRAME.table, '{"table":"t"}'),
    frame(FRAME.data, 'a\tb\n'),
    frame(FRAME.end),
    frame(FRAME.manifest, '{}'),
  ]);

  it('when the stream arrives one byte at a time, then the frames come out whole and in order', async () => {
    const bytes = [...stream].map((b) => Buffer.from([b]));
    const frames = await collect(bytes);
    expect(frames.map((f) => `${f.type}:${f.payload.toString()}`)).toEqual(['T:{"table":"t"}', 'D:a\tb\n', 'E:', 'M:{}']);
  });

  it('when the stream ends inside a frame, then reading fails', async () => {
    await expect(collect([stream.subarray(0, stream.length - 1)])).rejects.toThrow(/ends inside a frame/);
  });

  it('when a frame has an unknown type, then reading fails', async () => {
    await expect(collect([Buffer.from('X\0\0\0\0')])).rejects.toThrow(/unknown backup frame type "X"/);
  });
});
