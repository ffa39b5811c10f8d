/**
 * Devices and the library's identity.
 */
import { existsSync } from 'node:fs';
import { native, NativeDevice } from './binding';
import { AVAILABLE_BACKENDS, PortBackend } from './ports';

/** A capture device, as libpcap lists it, plus the backends that open it. */
export interface Device extends NativeDevice {
  /**
   * Which backends `openLive()` can open this device with: `['afpacket']`
   * for a network interface and for `any`; empty for libpcap's other
   * pseudo-devices (nflog, dbus-*, bluetooth-monitor, ...), which this
   * library cannot open. Only backends built into this version are listed
   * (`xdp`, `netmap` will join them). `pipe:` ports are not devices: they
   * are created when their first end is opened, so they never appear here.
   */
  backends: PortBackend[];
}

/** The backends that can open the device called `name`. */
function backendsOf(name: string): PortBackend[] {
  const isInterface = name === 'any' || existsSync(`/sys/class/net/${name}`);
  return isInterface ? AVAILABLE_BACKENDS.filter((b) => b === 'afpacket') : [];
}

/** Every device that can be opened (libpcap's pcap_findalldevs). */
export function findAllDevs(): Device[] {
  return native.findAllDevs().map((d) => ({ ...d, backends: backendsOf(d.name) }));
}

/** libpcap's version string (our filter compiler). */
export function libVersion(): string {
  return native.libVersion();
}
