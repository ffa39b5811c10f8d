/**
 * Errors: one class, a stable string `code`, a message that says the fix.
 */

/** Every code a PcapError can carry. */
export type PcapErrorCode =
  | 'EPERM' // missing privileges (CAP_NET_RAW / CAP_NET_ADMIN)
  | 'ENODEV' // no such device
  | 'ENETDOWN' // the interface is down or went down
  | 'EFILTER' // the filter expression does not compile
  | 'EBADSLOT' // JS wrote a bad ring index or slot length
  | 'ECLOSED' // the session is closed
  | 'EINVAL' // a bad argument or option
  | 'EMSGSIZE' // a frame too short or too long for the link
  | 'ENOMEM' // out of memory, or a ring too large
  | 'EAGAIN' // the transmit ring stayed full
  | 'ETIMEDOUT' // drain(): queued frames did not all leave in time
  | 'EBUSY' // already open / already in use
  | 'EPIPE' // the other end of a pipe closed or died
  | 'ENOTSUP' // not supported by this backend or device
  | 'ETRUNC' // a savefile ends in the middle of a header or record
  | 'EBADFILE' // a savefile is corrupt or not a capture file (message names the byte offset)
  | 'ENOENT' // no such file
  | 'EIO'; // anything else the system reported

/** The error every netmap-pcap API throws (also emitted as `'error'`). */
export class PcapError extends Error {
  readonly code: PcapErrorCode;

  /** `cause`: the error behind this one (ECLOSED after a fatal error: that error). */
  constructor(message: string, code: PcapErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PcapError';
    this.code = code;
  }
}

/** Throw EINVAL unless `ok`. */
export function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new PcapError(message, 'EINVAL');
}
