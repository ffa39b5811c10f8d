/**
 * Devices and the library's identity.
 */
import { existsSync, readFileSync } from 'node:fs';
import { native, NativeDevice } from './binding';
import { AVAILABLE_BACKENDS, PortBackend } from './ports';

/** A capture device, as libpcap lists it, plus the backends that open it. */
export interface Device extends NativeDevice {
  /**
   * Which backends `openLive()` can open this device with: `['afpacket']`
   * for any network interface and for `any`, plus `'xdp'` (open it as
   * `xdp:NAME` or `xdp:NAME-Q`) for an Ethernet interface; empty for
   * libpcap's other pseudo-devices (nflog, dbus-*, bluetooth-monitor,
   * ...), which this library cannot open. Only backends built into this
   * version are listed (`netmap` will join them). `pipe:` ports are not devices: they
   * are created when their first end is opened, so they never appear here.
   */
  backends: PortBackend[];
}

/** ARPHRD_ETHER: the hardware type AF_XDP ports accept. */
const ARPHRD_ETHER = 1;

/** Is `name` an Ethernet interface (sysfs type 1)? */
function isEthernet(name: string): boolean {
  try {
    return Number(readFileSync(`/sys/class/net/${name}/type`, 'utf8')) === ARPHRD_ETHER;
  } catch {
    return false;
  }
}

/** The backends that can open the device called `name`. */
function backendsOf(name: string): PortBackend[] {
  const isInterface = name === 'any' || existsSync(`/sys/class/net/${name}`);
  if (!isInterface) return [];
  const xdp = name !== 'any' && isEthernet(name);
  return AVAILABLE_BACKENDS.filter((b) => b === 'afpacket' || (b === 'xdp' && xdp));
}

/** Every device that can be opened (libpcap's pcap_findalldevs). */
export function findAllDevs(): Device[] {
  return native.findAllDevs().map((d) => ({ ...d, backends: backendsOf(d.name) }));
}

/** libpcap's version string (our filter compiler). */
export function libVersion(): string {
  return native.libVersion();
}
