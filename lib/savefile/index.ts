/** Savefiles: pcap and pcapng readers and the dump-file writer. */
export { openParser, PcapParser, PcapngParser } from './parser';
export type { InterfaceInfo, RecordSink, SavefileParser } from './parser';
export { Dumper } from './dumper';
export type { DumperOptions, DumpHeader } from './dumper';
export { MAX_BLOCK, MAX_RECORD, MAX_SHB } from './format';
