// The API surface that needs no network: options, errors, devices.
import t from 'tap';
import { native } from '../lib/binding';
import { isRoot, requireRoot } from './helpers/netns';
import { findAllDevs, libVersion, openLive, PcapError, DEFAULTS, ringLayout, linkTypeName } from '../index';

t.test('libVersion names libpcap', async (t) => {
  t.match(libVersion(), /^libpcap version \d+\.\d+/);
});

t.test('findAllDevs lists lo and any with addresses', async (t) => {
  const devs = findAllDevs();
  const lo = devs.find((d) => d.name === 'lo');
  t.ok(lo, 'lo is listed');
  t.ok(devs.find((d) => d.name === 'any'), 'any is listed');
  t.ok(lo!.addresses.some((a) => a.addr === '127.0.0.1'), 'lo has 127.0.0.1');
});

t.test('misspelled and bad options give EINVAL with the fix', async (t) => {
  t.throws(() => openLive('lo', { snapLen: 100 } as never),
    { code: 'EINVAL', message: 'Misspelled option "snapLen" should be "snaplen"' });
  t.throws(() => openLive('lo', { promiscuous: false } as never),
    { code: 'EINVAL', message: /should be "promisc"/ });
  t.throws(() => openLive('lo', { snaplen: 0 }), { code: 'EINVAL', message: /snaplen/ });
  t.throws(() => openLive('lo', { direction: 'sideways' as never }), { code: 'EINVAL' });
  t.throws(() => openLive('lo', { fanout: { group: 70000 } }), { code: 'EINVAL' });
  t.throws(() => openLive(''), { code: 'EINVAL' });
});

t.test('a bad device gives ENODEV naming the device', async (t) => {
  if (!requireRoot(t)) return; // without CAP_NET_RAW it is EPERM first
  const err = t.throws(() => openLive('nmp-no-such-if0')) as PcapError;
  t.ok(err instanceof PcapError, 'a PcapError');
  t.equal(err.code, 'ENODEV');
  t.match(err.message, /nmp-no-such-if0/);
  t.throws(() => openLive('x'.repeat(40)), { code: 'ENODEV', message: /1 to 15 characters/ });
});

t.test('defaults and layout are exported', async (t) => {
  t.equal(DEFAULTS.snaplen, 262144);
  t.ok(ringLayout.SLOT_WORDS >= 6, 'a slot has at least six 32-bit fields');
  t.equal(linkTypeName(1), 'EN10MB');
  t.equal(linkTypeName(113), 'LINUX_SLL');
});

t.test('the port contract: every operation is safe before open and after close', async (t) => {
  const port = new native.Port();
  const calls: [string, () => unknown][] = [
    ['rxsync', () => port.rxsync()], ['txsync', () => port.txsync()],
    ['openTx', () => port.openTx()], ['stats', () => port.stats()],
    ['setFilter', () => port.setFilter('arp', 1, 0xffffffff)],
    ['setDirection', () => port.setDirection(1)], ['memory', () => port.memory(0)],
    ['pollStart', () => port.pollStart(() => {})], ['waitReadable', () => port.waitReadable(0)],
  ];
  for (const [name, call] of calls) t.throws(call, { code: 'ECLOSED' }, `${name} before open`);
  t.equal(port.info().fd, -1, 'no descriptor');
  t.equal(port.failure(), null);
  port.close();
  port.close();
  for (const [name, call] of calls) t.throws(call, { code: 'ECLOSED' }, `${name} after close`);
  const name = { backend: 'afpacket', name: 'nmp-no-such-if0', device: 'nmp-no-such-if0', queue: -1,
    end: 0, pipe: 0, rings: 0, valeSwitch: '' };
  t.throws(() => port.open({ port: name, snaplen: 100, promisc: 0, timeoutMs: 10, immediate: 0,
    bufferSize: 1 << 20, rxSlots: 64, direction: 0, fanoutMode: -1, fanoutGroup: 0, filter: null }),
  { code: isRoot() ? 'ENODEV' : 'EPERM' }, 'a failed open');
  for (const [name, call] of calls) t.throws(call, { code: 'ECLOSED' }, `${name} after a failed open`);
});
