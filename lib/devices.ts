/**
 * Devices and the library's identity.
 */
import { native, NativeDevice } from './binding';

/** A capture device, as libpcap lists it. */
export type Device = NativeDevice;

/** Every device that can be opened (libpcap's pcap_findalldevs). */
export function findAllDevs(): Device[] {
  return native.findAllDevs();
}

/** libpcap's version string (our filter compiler). */
export function libVersion(): string {
  return native.libVersion();
}
