/**
 * What the sender pulls frames from: a replay of files, or the generator.
 * A source has a current frame (or has run dry) and hands it over once.
 */

/** Wall-clock time of the batch being written (for --seq stamps). */
export interface BatchTime {
  sec: number;
  nsec: number;
}

export interface FrameSource {
  /** Whether a current frame is there without waiting. */
  hasFrame(): boolean;
  /** Wait for more frames (files are read in chunks); false at the end of the input. */
  refill(): Promise<boolean>;
  /** The current frame's length in bytes. */
  len(): number;
  /** The current frame's capture time, ns after the input's first frame (0 when generated). */
  tsNs(): number;
  /** Write the current frame at dst[off] and move to the next. */
  take(dst: Buffer, off: number, time: BatchTime): void;
  /** Move past the current frame without sending it. */
  skip(): void;
  /** Release what the source holds (idempotent). */
  close(): void;
}
