/**
 * cap's `deviceList()` and `findDevice([ip])`, over this library's
 * findAllDevs() (libpcap's pcap_findalldevs).
 */
import { findAllDevs } from '../../index';
import { argError } from './args';

/** libpcap's PCAP_IF_LOOPBACK flag bit. */
const PCAP_IF_LOOPBACK = 1;

/** An address as cap lists it: only the keys libpcap gave a value. */
export interface CapAddress {
  addr?: string;
  netmask?: string;
  broadaddr?: string;
  dstaddr?: string;
}

/** A device as cap lists it. */
export interface CapDevice {
  name: string;
  /** Only when libpcap has one. */
  description?: string;
  /** IPv4 and IPv6 addresses only. */
  addresses: CapAddress[];
  /** 'PCAP_IF_LOOPBACK' for a loopback device; absent otherwise. */
  flags?: 'PCAP_IF_LOOPBACK';
}

const ADDRESS_KEYS = ['addr', 'netmask', 'broadaddr', 'dstaddr'] as const;

/** Every capture device, with cap's keys in cap's order. */
export function deviceList(): CapDevice[] {
  return findAllDevs().map((d) => {
    const addresses = d.addresses.map((a) => {
      const out: CapAddress = {};
      for (const key of ADDRESS_KEYS) if (a[key] !== undefined) out[key] = a[key];
      return out;
    });
    // Keys in cap's order: name, description, addresses, flags.
    const dev = { name: d.name } as CapDevice;
    if (d.description !== undefined) dev.description = d.description;
    dev.addresses = addresses;
    if (d.flags & PCAP_IF_LOOPBACK) dev.flags = 'PCAP_IF_LOOPBACK';
    return dev;
  });
}

/**
 * With `ip`: the name of the (first) device that has that address, IPv4 or
 * IPv6, written as inet_ntop writes it; undefined if none has it. Without:
 * the first non-loopback device that has an address, as cap documents.
 */
export function findDevice(...args: [ip?: string]): string | undefined {
  // cap tests the argument count, not the value: findDevice(undefined) throws.
  if (args.length > 0 && typeof args[0] !== 'string') throw argError('Expected string for IP');
  const ip = args[0];
  for (const d of findAllDevs()) {
    if (d.addresses.length === 0) continue;
    if (ip === undefined ? !(d.flags & PCAP_IF_LOOPBACK) : d.addresses.some((a) => a.addr === ip)) return d.name;
  }
  return undefined;
}
