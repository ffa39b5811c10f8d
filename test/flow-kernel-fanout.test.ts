/**
 * The kernel's distributor, measured: what docs/flows.md says about
 * AF_PACKET's PACKET_FANOUT_HASH, checked on this kernel with the same
 * seeded traffic the software fan-out is tested with (120 flows, both
 * directions, IPv4 / IPv6 / VLAN, fragmented datagrams), injected on a veth
 * inside a netns and captured by 3 sockets in one fanout group on its peer.
 * If one of these fails, the kernel changed: change the docs with it.
 */
import * as path from 'node:path';
import t from 'tap';
import { fanoutTraffic } from './fixtures/flow/fanout-traffic';
import { runInNetns } from './helpers/child';
import { Netns, requireRoot } from './helpers/netns';

const FIXTURE = path.join(__dirname, 'fixtures', 'kernel-fanout.ts');

for (const flowLabels of [false, true]) {
  t.test(`PACKET_FANOUT_HASH, 3 members${flowLabels ? ', IPv6 flow labels set per direction' : ''}`, async (t) => {
    if (!requireRoot(t)) return;
    const ns = await Netns.create(t);
    const p = { members: 3, seed: 21, flows: 120, perFlow: 12, flowLabels };
    const r = await runInNetns(ns, FIXTURE, [JSON.stringify(p)], { timeoutMs: 60_000 });
    t.equal(r.code, 0, `exit 0 (${r.stderr.slice(-300)})`);
    const j = r.json;
    t.ok(j && !j.error, j?.error ?? r.jsonError ?? 'a result');
    if (!j || j.error) return;
    const traffic = fanoutTraffic(p.seed, p.flows, p.perFlow);
    const where = new Map<number, number>();
    (j.members as number[][]).forEach((got, m) => got.forEach((i) => where.set(i, m)));
    t.equal(where.size, traffic.length, 'every frame reached one member');
    const homes = (key: (f: (typeof traffic)[number]) => string | null): Map<string, Set<number>> => {
      const h = new Map<string, Set<number>>();
      traffic.forEach((f, i) => {
        const k = key(f);
        if (k === null || !where.has(i)) return;
        if (!h.has(k)) h.set(k, new Set());
        h.get(k)!.add(where.get(i)!);
      });
      return h;
    };
    const split = (h: Map<string, Set<number>>): string[] => [...h].filter(([, s]) => s.size > 1).map(([k]) => k);
    t.same(split(homes((f) => (f.fragment ? null : `f${f.flow}`))), [], 'symmetric: both directions of every unfragmented TCP/UDP flow (IPv4, IPv6, VLAN) on one member');
    t.same(split(homes((f) => (f.fragment ? f.group : null))), [], 'all fragments of a datagram on one member');
    const whole = split(homes((f) => `f${f.flow}`));
    t.ok(whole.length > 0, `fragments do not follow their flow's other packets (${whole.length} of ${p.flows} flows split): no ports in fragments, and PACKET_FANOUT_FLAG_DEFRAG (IPv4 only) is not used`);
  });
}
