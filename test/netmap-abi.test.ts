// netmap's ABI (API 14) as csrc/netmap_abi.h defines it, checked field by
// field. Runs everywhere, no netmap module needed:
//  - against the documented values (x86-64 Linux), written out below;
//  - against netmap's real header, when ../shared/netmap-vm/netmap-src is
//    beside the checkout: a small C program built with that header prints
//    the same names, and every one must agree (under CI=true the header
//    and a C compiler must be there).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { native } from '../lib/binding';

const abi = native.netmapAbi;
const NETMAP_SYS = resolve(__dirname, '../../shared/netmap-vm/netmap-src/sys');

/** Documented layout on x86-64 Linux (netmap.h, API 14). */
const DOCUMENTED: Record<string, number> = {
  sizeof_netmap_slot: 16, offsetof_netmap_slot_buf_idx: 0, offsetof_netmap_slot_len: 4,
  offsetof_netmap_slot_flags: 6, offsetof_netmap_slot_ptr: 8,
  sizeof_netmap_ring: 256, offsetof_netmap_ring_buf_ofs: 0, offsetof_netmap_ring_num_slots: 8,
  offsetof_netmap_ring_nr_buf_size: 12, offsetof_netmap_ring_ringid: 16, offsetof_netmap_ring_dir: 18,
  offsetof_netmap_ring_head: 20, offsetof_netmap_ring_cur: 24, offsetof_netmap_ring_tail: 28,
  offsetof_netmap_ring_flags: 32, offsetof_netmap_ring_ts: 40, offsetof_netmap_ring_offset_mask: 56,
  offsetof_netmap_ring_buf_align: 64, offsetof_netmap_ring_sem: 128, offsetof_netmap_ring_slot: 256,
  sizeof_netmap_if: 56, offsetof_netmap_if_ni_name: 0, offsetof_netmap_if_ni_version: 16,
  offsetof_netmap_if_ni_flags: 20, offsetof_netmap_if_ni_tx_rings: 24, offsetof_netmap_if_ni_rx_rings: 28,
  offsetof_netmap_if_ni_bufs_head: 32, offsetof_netmap_if_ni_host_tx_rings: 36,
  offsetof_netmap_if_ni_host_rx_rings: 40, offsetof_netmap_if_ni_spare1: 44, offsetof_netmap_if_ring_ofs: 56,
  sizeof_nmreq_header: 88, offsetof_nmreq_header_nr_version: 0, offsetof_nmreq_header_nr_reqtype: 2,
  offsetof_nmreq_header_nr_reserved: 4, offsetof_nmreq_header_nr_name: 8, offsetof_nmreq_header_nr_options: 72,
  offsetof_nmreq_header_nr_body: 80,
  sizeof_nmreq_option: 24, offsetof_nmreq_option_nro_next: 0, offsetof_nmreq_option_nro_reqtype: 8,
  offsetof_nmreq_option_nro_status: 12, offsetof_nmreq_option_nro_size: 16,
  sizeof_nmreq_register: 56, offsetof_nmreq_register_nr_offset: 0, offsetof_nmreq_register_nr_memsize: 8,
  offsetof_nmreq_register_nr_tx_slots: 16, offsetof_nmreq_register_nr_rx_slots: 20,
  offsetof_nmreq_register_nr_tx_rings: 24, offsetof_nmreq_register_nr_rx_rings: 26,
  offsetof_nmreq_register_nr_host_tx_rings: 28, offsetof_nmreq_register_nr_host_rx_rings: 30,
  offsetof_nmreq_register_nr_mem_id: 32, offsetof_nmreq_register_nr_ringid: 34,
  offsetof_nmreq_register_nr_mode: 36, offsetof_nmreq_register_nr_extra_bufs: 40,
  offsetof_nmreq_register_nr_flags: 48,
  NETMAP_API: 14, IFNAMSIZ: 16, NETMAP_REQ_IFNAMSIZ: 64, NETMAP_REQ_REGISTER: 1, NETMAP_REQ_PORT_INFO_GET: 2,
  NS_BUF_CHANGED: 0x1, NS_REPORT: 0x2, NS_FORWARD: 0x4, NS_MOREFRAG: 0x20, NR_TIMESTAMP: 0x2, NR_FORWARD: 0x4,
  NR_EXCLUSIVE: 0x800, NR_RX_RINGS_ONLY: 0x2000, NR_TX_RINGS_ONLY: 0x4000, NR_NO_TX_POLL: 0x20000,
  NR_REG_ALL_NIC: 1, NR_REG_SW: 2, NR_REG_NIC_SW: 3, NR_REG_ONE_NIC: 4,
  // _IOWR('i', 151, 88 bytes), _IO('i', 148), _IO('i', 149)
  NIOCCTRL: 0xc0586997, NIOCTXSYNC: 0x6994, NIOCRXSYNC: 0x6995,
};

t.test('every exported name is documented, and agrees', async (t) => {
  t.same(Object.keys(abi).sort(), Object.keys(DOCUMENTED).sort(), 'the same names');
  for (const [k, v] of Object.entries(DOCUMENTED)) t.equal(abi[k], v, k);
});

/** A C expression per exported name, in terms of netmap's own header. */
function cExpression(name: string): string {
  let m = /^sizeof_(\w+)$/.exec(name);
  if (m) return `sizeof(struct ${m[1]})`;
  for (const s of ['netmap_slot', 'netmap_ring', 'netmap_if', 'nmreq_header', 'nmreq_option', 'nmreq_register']) {
    m = new RegExp(`^offsetof_${s}_(\\w+)$`).exec(name);
    if (m) return `offsetof(struct ${s}, ${m[1]})`;
  }
  return name;   // a constant: netmap's macro or enum of the same name
}

function headerProgram(): string {
  const lines = Object.keys(DOCUMENTED).map(
    (k) => `\tprintf("%s %lu\\n", "${k}", (unsigned long)(${cExpression(k)}));`);
  return ['#include <stddef.h>', '#include <stdint.h>', '#include <stdio.h>', '#include <sys/ioctl.h>',
    '#include <sys/time.h>', '#include <net/if.h>', '#include <net/netmap.h>',
    'int main(void)', '{', ...lines, '\treturn 0;', '}', ''].join('\n');
}

t.test("agrees with netmap's real header", async (t) => {
  if (!existsSync(join(NETMAP_SYS, 'net/netmap.h'))) {
    const why = `netmap's header is not at ${NETMAP_SYS}`;
    if (process.env.CI === 'true') t.fail(`${why}; CI=true so this is a failure`);
    else t.plan(0, `skip: ${why}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'nm-abi-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'abi.c'), headerProgram());
  execFileSync('cc', ['-I', NETMAP_SYS, '-o', join(dir, 'abi'), join(dir, 'abi.c')]);
  const real = Object.fromEntries(execFileSync(join(dir, 'abi'), { encoding: 'utf8' }).trim().split('\n')
    .map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
  t.equal(Object.keys(real).length, Object.keys(DOCUMENTED).length, 'every name printed');
  for (const k of Object.keys(DOCUMENTED)) t.equal(abi[k], real[k], `${k} = ${real[k]} in netmap.h`);
});
