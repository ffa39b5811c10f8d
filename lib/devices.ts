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
   * ...), which this library cannot open. Where the netmap module is
   * loaded (`/dev/netmap` exists), every interface is also listed a second
   * time as `netmap:IF`, with backends `['netmap']`. `pipe:` ports, netmap
   * pipes and VALE ports are not devices: they are created when their
   * first end is opened, so they never appear here.
   */
  backends: PortBackend[];
}

/** ARPHRD_ETHER: the hardware type AF_XDP ports accept. */
const ARPHRD_ETHER = 1;

/** Where netmap's control device is; its presence means netmap is loaded. */
export const NETMAP_DEVICE = '/dev/netmap';

function isInterface(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

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
  if (name !== 'any' && !isInterface(name)) return [];
  const xdp = name !== 'any' && isEthernet(name);
  return AVAILABLE_BACKENDS.filter((b) => b === 'afpacket' || (b === 'xdp' && xdp));
}

/** `netmap:IF` for an interface, when the netmap module is loaded. */
function netmapDevice(d: Device): Device {
  return {
    name: `netmap:${d.name}`,
    description: `netmap port on ${d.name} (every hardware ring; the interface leaves the host stack while open)`,
    flags: d.flags,
    addresses: [],
    backends: ['netmap'],
  };
}

/** Every device that can be opened (libpcap's pcap_findalldevs), then the
 * netmap names of the interfaces if the netmap module is loaded. */
export function findAllDevs(): Device[] {
  const devs: Device[] = native.findAllDevs().map((d) => ({ ...d, backends: backendsOf(d.name) }));
  if (!existsSync(NETMAP_DEVICE)) return devs;
  return devs.concat(devs.filter((d) => d.name !== 'any' && isInterface(d.name)).map(netmapDevice));
}

/** libpcap's version string (our filter compiler). */
export function libVersion(): string {
  return native.libVersion();
}
