/**
 * `import pcap from 'netmap-pcap/pcap'` and `import { createSession } from
 * 'netmap-pcap/pcap'` (or from 'pcap' under `--import netmap-pcap/register`).
 *
 * The default export is the CommonJS module object itself, as Node gives
 * for npm pcap, so `pcap.warningHandler = fn` still works. The named
 * exports are listed here rather than left to Node's guess at the
 * CommonJS file, so that they cannot silently go missing.
 */
import * as ns from '../pcap/pcap.js';

// Node's namespace of a CommonJS file carries module.exports as `default`.
const pcap = (ns as unknown as { default: typeof ns }).default;
export default pcap;
export const {
  DNSCache, PacketWithHeader, Pcap, PcapSession, TCPSession, TCPTracker,
  createOfflineSession, createSession, decode, findalldevs, lib_version, warningHandler,
} = pcap;
