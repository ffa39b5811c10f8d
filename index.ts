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
export type { DumpHeader, InterfaceDescription, InterfaceStatistics, SectionOptions } from './lib/savefile/dumper';

// Packets as they reach JavaScript.
export type { Packet, PacketHeader, PacketHandler, PacketDirection, DispatchOptions } from './lib/packet';

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
export { parseMac, parseIpv4, inSubnet } from './lib/craft/address';
export { writeSeqStamp, readSeqStamp, l4PayloadOffset, SEQ_STAMP_MAGIC, SEQ_STAMP_LENGTH } from './lib/craft/seq-stamp';
export type { SeqStamp } from './lib/craft/seq-stamp';

// Devices, link types, version.
export { findAllDevs, libVersion } from './lib/devices';
export type { Device } from './lib/devices';
export { LinkType, linkTypeName } from './lib/linktype';

// Errors.
export { PcapError } from './lib/errors';
export type { PcapErrorCode } from './lib/errors';

// Protocol decoders: decodePacket(data, linktype) -> layers.
export { decodePacket, decodeFrom, findLayer, DECODED_LINKTYPES, START as DECODE_START } from './lib/decode/packet';
export type { StartProtocol } from './lib/decode/packet';
export type { DecodedPacket, Layer, LayerKind, LayerOf, PayloadLayer } from './lib/decode/types';
export type { EthernetLayer, VlanLayer } from './lib/decode/ethernet';
export { ETHERTYPE } from './lib/decode/ethertype';
export type { ArpLayer } from './lib/decode/arp';
export type { LlcLayer, SnapLayer } from './lib/decode/llc';
export type { SllLayer, Sll2Layer } from './lib/decode/linux-sll';
export type { NullLayer } from './lib/decode/null';
export type { RadiotapLayer } from './lib/decode/radiotap';
export type { Ieee80211Layer } from './lib/decode/ieee80211';
export type { Ipv4Layer, Ipv4Option } from './lib/decode/ipv4';
export type { Ipv6Layer, Ipv6Extension, Ipv6Option } from './lib/decode/ipv6';
export { TCP_FLAGS } from './lib/decode/tcp';
export type { TcpLayer } from './lib/decode/tcp';
export type { TcpOption } from './lib/decode/tcp-options';
export type { UdpLayer } from './lib/decode/udp';
export type { IcmpLayer } from './lib/decode/icmp';
export type { Icmpv6Layer, NdOption } from './lib/decode/icmpv6';
export type { IgmpLayer, IgmpGroupRecord } from './lib/decode/igmp';
export { DNS_TYPE } from './lib/decode/dns';
export type { DnsLayer, DnsQuestion, DnsRecord, DnsRData } from './lib/decode/dns';
export { formatMac, formatIPv4, formatIPv6, formatHex } from './lib/decode/format';

// Flows: a layer above the decoders, fed (data, header, linktype) live or offline.
export { FlowEngine } from './lib/flow/engine';
export type { FlowEngineOptions, FlowEngineStats, FlowStage, PacketEmitter } from './lib/flow/engine';
export type { FlowPacket } from './lib/flow/packet';
export { IpDefragmenter } from './lib/flow/defrag';
export type { DefragOptions, DefragStats, DefragDrop, DefragDropReason } from './lib/flow/defrag';
export { TcpReassembler } from './lib/flow/tcp-reassembler';
export type { TcpReassemblerOptions, TcpReassemblerStats } from './lib/flow/tcp-reassembler';
export { TcpConnection } from './lib/flow/tcp-connection';
export type { TcpConnectionState, TcpCloseReason, Endpoint } from './lib/flow/tcp-connection';
export { TcpStream } from './lib/flow/tcp-stream';
export type { TcpGap, GapReason, TcpStreamStats, StreamReadableOptions } from './lib/flow/tcp-stream';
export { seqDiff, seqAdd } from './lib/flow/seq';
export { FlowTable } from './lib/flow/flow-table';
export type { FlowRecord, FlowTableOptions, FlowTableStats, FlowEndReason, FlowTcpState } from './lib/flow/flow-table';
export { flowToJsonLine, flowToCsvLine, FLOW_CSV_HEADER, FLOW_FIELDS } from './lib/flow/records';
export { IpfixEncoder, IpfixExporter, REVERSE_PEN, IPFIX_TEMPLATE_IPV4, IPFIX_TEMPLATE_IPV6 } from './lib/flow/ipfix';
export type { IpfixOptions, IpfixExporterOptions } from './lib/flow/ipfix';
export { tcpFlowPacket } from './lib/flow/tcp-fields';
export type { TcpSegmentFields } from './lib/flow/tcp-fields';

// N workers: one symmetric flow hash, and a software distributor over pipe: ports (netmap's lb).
export { flowHash, flowWorker, fragmentOf } from './lib/flow/hash';
export type { FlowHashOptions, FragmentInfo } from './lib/flow/hash';
export { FanOut, FANOUT_HELD } from './lib/fanout';
export type { FanOutOptions, FanOutStats, FanOutWorkerStats } from './lib/fanout';
export type { FragmentSteerStats } from './lib/fanout-fragments';
