/**
 * netmap-pcap: netmap-style packet I/O for Node.js behind libpcap's API.
 *
 * This file is the table of contents: it only re-exports.
 */

// Sessions: open, capture, inject.
export { openLive, LiveSession } from './lib/live';
export { Session } from './lib/session';
export type { Stats, LoopOptions, IterateOptions } from './lib/session';
export type { PacketSource } from './lib/source';
export type { LiveOptions, Direction, FanoutOptions, FanoutMode } from './lib/options';
export { DEFAULTS } from './lib/options';

// Savefiles: read (same API as live sessions) and write.
export { openOffline, OfflineSession } from './lib/offline';
export type { OfflineOptions } from './lib/offline';
export { dumpOpen, openDead, DeadSession } from './lib/dump';
export type { DumpOptions } from './lib/dump';
export { Dumper } from './lib/savefile/dumper';
export type { DumpHeader } from './lib/savefile/dumper';

// Packets as they reach JavaScript.
export type { Packet, PacketHeader, PacketHandler, DispatchOptions } from './lib/packet';

// netmap's ring model, for code that walks slots itself.
export { Ring, ringLayout, SLOT_OUTGOING } from './lib/ring';
export type { RingKind } from './lib/ring';

// Port names: one parser for every prefix.
export { parsePortName, checkPortName, PORT_GRAMMAR, AVAILABLE_BACKENDS } from './lib/ports';
export type { PortName, PortBackend, ParseOptions } from './lib/ports';

// Crafting test frames: Ethernet/IPv4 with UDP, TCP SYN or ICMP, correct checksums.
export { craftFrame, writeFrame, checkFrameSpec, headersLength, minFrameSize } from './lib/craft/frame';
export type { FrameSpec, CraftProto } from './lib/craft/frame';
export { writeEthernet, writeIpv4, writeUdp, writeTcpSyn, writeIcmpEcho } from './lib/craft/headers';
export type { Ipv4Fields } from './lib/craft/headers';
export { internetChecksum, checksumAdd, checksumFinish } from './lib/craft/checksum';
export { parseMac, formatMac, parseIpv4, formatIpv4, inSubnet } from './lib/craft/address';
export { writeSeqStamp, readSeqStamp, l4PayloadOffset, SEQ_STAMP_MAGIC, SEQ_STAMP_LENGTH } from './lib/craft/seq-stamp';
export type { SeqStamp } from './lib/craft/seq-stamp';

// Devices, link types, version.
export { findAllDevs, libVersion } from './lib/devices';
export type { Device } from './lib/devices';
export { LinkType, linkTypeName } from './lib/linktype';

// Errors.
export { PcapError } from './lib/errors';
export type { PcapErrorCode } from './lib/errors';
