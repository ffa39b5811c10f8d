/**
 * One reassembler over one capture, in a process of its own (bench/flows.ts):
 *
 *   node flows-child.js engine-tcp FILE     FlowEngine (flow table off): TCP bytes via each stream's 'data'
 *   node flows-child.js pcap-tcp FILE DIR   npm pcap's TCPTracker (DIR: its module) on its own offline session
 *   node flows-child.js engine-defrag FILE  FlowEngine (TCP and table off): datagrams via 'datagram'
 *
 * Prints `result {"packets":…,"bytes":…,"units":…,"wallNs":…,"cpuNs":…}`:
 * packets read, payload bytes delivered (TCP) or datagram bytes (defrag),
 * units = streams seen or datagrams rebuilt; wall and user+sys CPU from
 * just before the file is opened to the end, module loading excluded.
 */
import { FlowEngine, openOffline } from '../index';

const [mode, file, dir] = process.argv.slice(2);
let packets = 0;
let bytes = 0;
let units = 0;

async function engine(tcp: boolean): Promise<void> {
  const e = new FlowEngine({ table: false, tcp: tcp ? {} : false });
  if (tcp) {
    e.tcp!.on('connection', (conn) => {
      for (const s of [conn.fromClient, conn.fromServer]) {
        units++;
        s.on('data', (chunk: Uint8Array) => { bytes += chunk.length; });
      }
    });
  } else {
    e.on('datagram', (whole: Uint8Array) => { units++; bytes += whole.length; });
  }
  const s = await openOffline(file);
  const lt = s.datalink();
  packets = await s.loop(-1, (data, h) => e.push(data, h, lt));
  e.flush();
  s.close();
}

interface NpmSession { on(ev: string, fn: (...a: unknown[]) => void): void }
interface NpmPcapOffline {
  createOfflineSession(path: string, o: object): NpmSession;
  decode: { packet(raw: unknown): unknown };
  TCPTracker: new () => { on(ev: 'session', fn: (s: NpmSession) => void): void; track_packet(p: unknown): void };
}

async function npmPcap(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pcap = require(dir) as NpmPcapOffline;
  const tracker = new pcap.TCPTracker();
  tracker.on('session', (session) => {
    units += 2;
    const add = (_s: unknown, d: unknown): void => { bytes += (d as Buffer).length; };
    session.on('data send', add);
    session.on('data recv', add);
  });
  const session = pcap.createOfflineSession(file, {});
  await new Promise<void>((resolve) => {
    session.on('packet', (raw) => { packets++; tracker.track_packet(pcap.decode.packet(raw)); });
    session.on('complete', () => resolve());
  });
}

async function main(): Promise<void> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  if (mode === 'engine-tcp') await engine(true);
  else if (mode === 'engine-defrag') await engine(false);
  else if (mode === 'pcap-tcp' && dir) await npmPcap();
  else throw new Error('usage: flows-child.js engine-tcp|engine-defrag FILE | pcap-tcp FILE PCAPDIR');
  const wallNs = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  process.stdout.write(`result ${JSON.stringify({ packets, bytes, units, wallNs, cpuNs: (c.user + c.system) * 1000 })}\n`);
  process.exit(0); // npm pcap's handles keep the loop alive
}

main().catch((err: unknown) => { process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`); process.exit(1); });
