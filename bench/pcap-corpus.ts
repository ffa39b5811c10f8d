/**
 * Packets from the tcpdump test corpus (../shared/corpus/tcpdump-tests), as
 * npm pcap's 'packet' event hands them out: { buf, header, link_type }.
 * Read with this library's openOffline; shared by the compat/pcap
 * equivalence test and the decode benchmark.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openOffline } from '../lib/offline';
import { linkTypeString, writeRecordHeader } from '../compat/pcap-internal/linktype';
import type { PacketWithHeader } from '../compat/pcap-internal/types';

export const CORPUS = join(__dirname, '..', '..', 'shared', 'corpus', 'tcpdump-tests');
/**
 * From dist/bench as well as from bench/ (tests run the TypeScript), and
 * from a git worktree nested deeper than the main checkout: the nearest
 * ancestor's shared/corpus.
 */
export function corpusDir(): string | null {
  for (let up = join(__dirname, '..'); ; up = dirname(up)) {
    const dir = join(up, '..', 'shared', 'corpus', 'tcpdump-tests');
    if (existsSync(dir)) return dir;
    if (dirname(up) === up) return null;
  }
}

/** The link types npm pcap decodes. */
export const DECODED_LINK_TYPES = new Set(['LINKTYPE_ETHERNET', 'LINKTYPE_NULL', 'LINKTYPE_RAW',
  'LINKTYPE_LINUX_SLL', 'LINKTYPE_IEEE802_11_RADIO']);

export interface CorpusPacket extends PacketWithHeader {
  file: string;
  index: number;
}

/**
 * Every packet of every corpus file whose link type npm pcap decodes, up
 * to `limit` packets. Files this library refuses (the corpus holds broken
 * ones on purpose) are skipped.
 */
export async function loadCorpusPackets(dir: string, limit = Infinity): Promise<CorpusPacket[]> {
  const out: CorpusPacket[] = [];
  const files = readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  for (const file of files) {
    if (out.length >= limit) break;
    let session;
    try {
      session = await openOffline(join(dir, file));
    } catch {
      continue;
    }
    try {
      let index = 0;
      for await (const p of session.packets({ copy: true })) {
        const link_type = linkTypeString(p.linktype);
        if (DECODED_LINK_TYPES.has(link_type)) {
          const header = writeRecordHeader(Buffer.alloc(16), p.tsSec, Math.floor(p.tsNsec / 1000), p.caplen, p.len);
          out.push({ buf: p.data, header, link_type, file, index });
        }
        index++;
        if (out.length >= limit) break;
      }
    } catch {
      // a truncated or corrupt file: keep what was read before the error
    } finally {
      session.close();
    }
  }
  return out;
}
