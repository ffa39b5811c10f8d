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
