/**
 * --generate: frames made on the fly, straight into TX slots. Addresses
 * and ports walk their ranges like an odometer (source port fastest, then
 * destination port, source address, destination address); --size ranges
 * cycle on their own. Frame i carries IP id i, TCP/ICMP sequence i, and
 * with --seq a stamp (lib/craft/seq-stamp.ts) with sequence number i.
 */
import { FrameSpec, writeFrame } from '../../lib/craft/frame';
import { SEQ_STAMP_LENGTH, writeSeqStamp } from '../../lib/craft/seq-stamp';
import type { GenerateConfig } from './options';
import type { Range } from './ranges';
import type { BatchTime, FrameSource } from './source';

/** Digits of the odometer, fastest first. */
type Field = 'srcPort' | 'dstPort' | 'srcIp' | 'dstIp';
const ODOMETER: readonly Field[] = ['srcPort', 'dstPort', 'srcIp', 'dstIp'];

export class GenerateSource implements FrameSource {
  readonly #config: GenerateConfig;
  readonly #spec: FrameSpec;
  readonly #stamp: Uint8Array | undefined;
  #index = 0;

  constructor(config: GenerateConfig, srcMac: Uint8Array) {
    this.#config = config;
    this.#stamp = config.seq ? new Uint8Array(SEQ_STAMP_LENGTH) : undefined;
    this.#spec = {
      proto: config.proto, srcMac, dstMac: config.dstMac,
      srcIp: config.srcIp.first, dstIp: config.dstIp.first,
      srcPort: config.srcPort.first, dstPort: config.dstPort.first,
      size: config.size.first, payload: this.#stamp,
    };
  }

  hasFrame(): boolean { return true; }
  async refill(): Promise<boolean> { return true; }
  len(): number { return this.#spec.size; }
  tsNs(): number { return 0; }

  take(dst: Buffer, off: number, time: BatchTime): void {
    const spec = this.#spec;
    const i = this.#index;
    spec.ipId = i;
    spec.seq = i;
    if (this.#stamp) writeSeqStamp(this.#stamp, 0, i, time.sec, time.nsec);
    writeFrame(dst, off, spec);
    this.skip();
  }

  skip(): void {
    this.#index++;
    const { size } = this.#config;
    const spec = this.#spec;
    spec.size = spec.size === size.last ? size.first : spec.size + 1;
    for (const field of ODOMETER) {
      const range: Range = this.#config[field];
      if (spec[field] !== range.last) {
        spec[field] = spec[field]! + 1;
        return;
      }
      spec[field] = range.first; // wrapped: carry into the next digit
    }
  }

  close(): void {}
}
