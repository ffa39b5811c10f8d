/**
 * The drop-in table's programs (issue 12): one written for npm pcap, one
 * for cap, each bare and decoding, run on the peer module itself (from
 * bench/out/peers) and on this library's drop-in. Only the module the
 * program loads differs (bench/consumers/pcap-program.ts, cap-program.ts).
 */
import { ConsumerSpec, programConsumer } from './capture';
import { CAP_VERSION, PCAP_VERSION } from './peers';
import type { DropInTarget } from './report';

/** A peer install: its directory, or why it is unavailable. */
export type PeerInstall = { dir: string } | { error: string };

export interface DropInSpec {
  peer: { name: string; spec?: ConsumerSpec; missing?: string };
  dropIn: { name: string; spec: ConsumerSpec };
  target: DropInTarget;
}

function pair(program: 'pcap' | 'cap', peerName: string, peer: PeerInstall, dropInModule: string,
              mode: 'bare' | 'decode', what: string, goal: { factor: number; noDrops: boolean }): DropInSpec {
  const name = `${peerName}: ${what}`;
  const dropInName = `${dropInModule}: ${what}`;
  return {
    peer: 'dir' in peer ? { name, spec: programConsumer(name, program, peer.dir, mode) } : { name, missing: peer.error },
    dropIn: { name: dropInName, spec: programConsumer(dropInName, program, dropInModule, mode) },
    target: { ...goal, peerModule: peerName },
  };
}

/**
 * Targets: netmap-pcap/pcap ≥ 2× less CPU per packet than npm pcap bare,
 * ≥ 3× with decode.packet() on every packet, no drops; netmap-pcap/cap no
 * per-packet cost cap does not have (issue 12's "What to build", item 2).
 */
export function dropInSpecs(pcap: PeerInstall, cap: PeerInstall): DropInSpec[] {
  const npmPcap = `npm pcap ${PCAP_VERSION}`;
  const capPeer = `cap ${CAP_VERSION}`;
  return [
    pair('pcap', npmPcap, pcap, 'netmap-pcap/pcap', 'bare', "bare 'packet' listener", { factor: 2, noDrops: true }),
    pair('pcap', npmPcap, pcap, 'netmap-pcap/pcap', 'decode', 'decode.packet() on each', { factor: 3, noDrops: true }),
    pair('cap', capPeer, cap, 'netmap-pcap/cap', 'bare', "bare 'packet' listener", { factor: 1, noDrops: false }),
    pair('cap', capPeer, cap, 'netmap-pcap/cap', 'decode', 'decoders on each (Ethernet, IPV4, UDP)', { factor: 1, noDrops: false }),
  ];
}
