/**
 * A pcapng block walker for tests, written from the specification apart
 * from lib/savefile (so a mistake shared by our writer and our reader
 * cannot hide): every block with its type, fixed fields and options.
 * Little-endian files only (what our writer produces).
 */
export interface Block {
  type: number;
  /** The block body's fixed part (before the options). */
  fixed: Buffer;
  /** Options in file order: [code, value]. */
  options: [number, Buffer][];
}

/** Fixed-part length by block type; an EPB's also holds its padded packet. */
function fixedLength(type: number, body: Buffer): number {
  switch (type) {
    case 0x0a0d0d0a: return 16;
    case 1: return 8;
    case 5: return 12;
    case 6: return 20 + ((body.readUInt32LE(12) + 3) & ~3);
    default: return body.length;
  }
}

export function readBlocks(file: Buffer): Block[] {
  const blocks: Block[] = [];
  for (let p = 0; p < file.length;) {
    const type = file.readUInt32LE(p);
    const len = file.readUInt32LE(p + 4);
    if (len < 12 || len % 4 !== 0 || p + len > file.length) throw new Error(`bad block length ${len} at ${p}`);
    if (file.readUInt32LE(p + len - 4) !== len) throw new Error(`trailer differs at ${p}`);
    const body = file.subarray(p + 8, p + len - 4);
    const f = fixedLength(type, body);
    const options: [number, Buffer][] = [];
    for (let o = f; o + 4 <= body.length;) {
      const code = body.readUInt16LE(o);
      const olen = body.readUInt16LE(o + 2);
      if (code === 0) break;
      options.push([code, body.subarray(o + 4, o + 4 + olen)]);
      o += 4 + ((olen + 3) & ~3);
    }
    blocks.push({ type, fixed: body.subarray(0, f), options });
    p += len;
  }
  return blocks;
}

/** The first option `code` of a block as text, or undefined. */
export function optionText(b: Block, code: number): string | undefined {
  return b.options.find(([c]) => c === code)?.[1].toString('utf8');
}

/** The option `code` as a little-endian 64-bit number. */
export function optionU64(b: Block, code: number): number | undefined {
  const v = b.options.find(([c]) => c === code)?.[1];
  return v ? Number(v.readBigUInt64LE(0)) : undefined;
}
