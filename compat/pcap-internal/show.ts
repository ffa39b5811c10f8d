/**
 * Lazily built fields that still look like npm pcap's own properties.
 *
 * Some decoders keep what they read as numbers and build the arrays npm
 * pcap exposes (an address's `addr`) only when something reads them: most
 * programs print or compare addresses and never touch the arrays, and
 * allocating them was a large share of decode time. The field is a getter
 * on the prototype; util.inspect and JSON.stringify are given a plain view
 * in which it is an own property again, so what users print is what npm
 * pcap prints.
 */
import { inspect } from 'node:util';

const viewProtos = new WeakMap<object, object>();

/**
 * `fields` as an object that util.inspect prints as an instance of
 * `self`'s class (its prototype chain reaches the class's prototype, with
 * the custom inspect hook masked so printing does not recurse).
 */
export function ownView(self: object, fields: Record<string, unknown>): object {
  const proto = Object.getPrototypeOf(self) as object;
  let viewProto = viewProtos.get(proto);
  if (viewProto === undefined) {
    viewProto = Object.create(proto, { [inspect.custom]: { value: undefined } }) as object;
    viewProtos.set(proto, viewProto);
  }
  const view = Object.create(viewProto) as object;
  // Own data properties (an assignment would hit the class's setters).
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(view, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return view;
}

export const inspectSymbol = inspect.custom;

/**
 * `self`'s own enumerable fields in order, with each lazy field put back
 * right after the field (own or lazy) it follows in npm pcap's layout.
 */
export function fieldsWith(self: object, lazy: readonly (readonly [after: string, key: string, value: unknown])[]):
    Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown): void => {
    out[key] = value;
    for (const [after, lazyKey, lazyValue] of lazy) if (after === key) put(lazyKey, lazyValue);
  };
  for (const key of Object.keys(self)) put(key, (self as Record<string, unknown>)[key]);
  return out;
}

/**
 * A Buffer view of `raw` from `start` to `end`; an empty Buffer if `raw`'s
 * memory has been released since (a session closed: its ring memory is
 * detached, and views of it are empty).
 */
export function viewOf(raw: Buffer, start: number, end: number): Buffer {
  try {
    return raw.subarray(start, end);
  } catch {
    return Buffer.alloc(0);
  }
}

/** Six bytes from two words (for address objects built after the packet's buffer may be gone). */
const scratch = Buffer.alloc(16);

/** A 6-byte buffer holding `hi` (16 bits) and `lo` (32 bits), for an EthernetAddr built later. */
export function macBytes(hi: number, lo: number): Buffer {
  scratch.writeUInt16BE(hi, 0);
  scratch.writeUInt32BE(lo >>> 0, 2);
  return scratch;
}

/** A 4-byte buffer holding `v`, for an IPv4Addr built later. */
export function ipv4Bytes(v: number): Buffer {
  scratch.writeUInt32BE(v >>> 0, 0);
  return scratch;
}
