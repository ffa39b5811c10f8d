// compat/cap's Cap: argument errors with cap's messages and types (no
// network), then capture and send on a veth pair inside a namespace the test
// creates (test/fixtures/compat/cap-live.ts in a child process).
import t, { Test } from 'tap';
import { join } from 'node:path';
import cap = require('../compat/cap');
import { Netns, requireRoot } from './helpers/netns';
import { runInNetns } from './helpers/child';

const FIXTURE = join(__dirname, 'fixtures', 'compat', 'cap-live.ts');
const { Cap } = cap;

async function scenario(t: Test, ns: Netns, name: string) {
  const r = await runInNetns(ns, FIXTURE, [name], { timeoutMs: 60_000 });
  if (r.code !== 0 || !r.json) {
    t.fail(`${name} failed (exit ${r.code}, signal ${r.signal})`, { stdout: r.stdout, stderr: r.stderr });
    return {};
  }
  return r.json;
}

t.test('the module has cap\'s shape', async (t) => {
  t.same(Object.keys(cap), ['Cap', 'findDevice', 'deviceList', 'decoders']);
  t.equal(Cap.findDevice, cap.findDevice, 'Cap.findDevice is the module\'s');
  t.equal(Cap.deviceList, cap.deviceList);
  const c = new Cap();
  t.equal(typeof c.on, 'function', 'an EventEmitter');
  for (const m of ['open', 'close', 'send', 'setMinBytes']) t.equal(typeof (c as any)[m], 'function', m);
  t.equal(c.close(), false, 'close() with nothing open is false');
});

t.test('argument errors: cap\'s messages and types, plus code EINVAL', async (t) => {
  const c = new Cap() as any;
  const buf = Buffer.alloc(10);
  const type = (message: string) => ({ name: 'TypeError', message, code: 'EINVAL' });
  t.throws(() => c.open(), type('Expecting 4 arguments'));
  t.throws(() => c.open('lo', '', 100), type('Expecting 4 arguments'));
  t.throws(() => c.open(1, '', 100, buf), type('device must be a string'));
  t.throws(() => c.open('lo', null, 100, buf), type('filter must be a string'));
  for (const bad of [-1, 1.5, '100', 2 ** 32, NaN]) t.throws(() => c.open('lo', '', bad, buf), type('bufSize must be a positive integer'));
  t.throws(() => c.open('lo', '', 100, 'buf'), type('buffer must be a Buffer'));
  t.throws(() => c.send(), type('the first parameter must be a buffer'));
  t.throws(() => c.send([1, 2]), type('first parameter must be a buffer'));
  t.throws(() => c.send(buf, -1), type('length must be a positive integer'));
  t.throws(() => c.send(buf, 11), type('size must be smaller or equal to buffer length'));
  t.throws(() => c.send(buf, 10), { name: 'Error', message: 'Not currently capturing/open', code: 'ECLOSED' },
    'send() before open() (cap crashed here)');
  t.throws(() => c.setMinBytes(), type('missing min bytes value'));
  t.throws(() => c.setMinBytes(-5), type('min bytes must be a positive number'));
  t.throws(() => c.setMinBytes(0), { name: 'Error', message: 'Not currently capturing/open' });
  t.throws(() => (Cap.findDevice as any)(undefined), type('Expected string for IP'), 'an explicit undefined, as in cap');
  t.throws(() => (Cap.findDevice as any)(42), type('Expected string for IP'));
  t.equal(c.close(), false, 'a failed open leaves nothing open');
});

t.test('deviceList and findDevice on this machine', async (t) => {
  const list = Cap.deviceList();
  const lo = list.find((d) => d.name === 'lo');
  t.ok(lo, 'lo listed');
  t.same(Object.keys(lo!), ['name', 'addresses', 'flags']);
  t.equal(lo!.flags, 'PCAP_IF_LOOPBACK');
  t.same(lo!.addresses.find((a) => a.addr === '127.0.0.1'), { addr: '127.0.0.1', netmask: '255.0.0.0' });
  const any = list.find((d) => d.name === 'any');
  t.same(Object.keys(any!), ['name', 'description', 'addresses'], 'description when libpcap has one; no flags');
  for (const d of list) {
    for (const a of d.addresses) t.ok(!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(a.addr ?? ''), 'IP addresses only');
  }
  t.equal(Cap.findDevice('127.0.0.1'), 'lo');
  t.equal(Cap.findDevice('::1'), 'lo', 'IPv6 too');
  t.equal(Cap.findDevice('198.19.255.254'), undefined);
  const first = Cap.findDevice();
  t.not(first, 'lo', 'no ip: never the loopback device');
});

t.test('Cap on a veth pair', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await Netns.create(t);

  t.test('filtered capture into the caller\'s buffer; send() with and without nBytes', async (t) => {
    const r = await scenario(t, ns, 'capture');
    t.equal(r.linkType, 'ETHERNET');
    t.equal(r.txLink, 'ETHERNET');
    t.equal(r.got?.length, r.sent?.length, 'every matching frame, nothing else');
    t.same(r.got?.map((g: any) => g.port), r.sent?.map(() => 9999), 'only dst port 9999 (the filter)');
    t.same(r.got?.map((g: any) => g.hex), r.sent, 'byte-exact, in order');
    t.same(r.got?.map((g: any) => g.nbytes), r.sent?.map((h: string) => h.length / 2), 'nbytes is the frame\'s length');
    t.ok(r.got?.every((g: any) => g.truncated === false), 'not truncated');
    t.equal(r.closedWhileOpen, true, 'close() of an open Cap: true');
    t.equal(r.closedAgain, false, 'close() again: false');
  });

  t.test('a packet larger than the buffer: nbytes is what fit, truncated', async (t) => {
    const r = await scenario(t, ns, 'truncate');
    t.same(r.got, [[100, true], [60, false]]);
    t.equal(r.prefixMatches, true);
  });

  t.test('close() inside the listener stops delivery; open() again works', async (t) => {
    const r = await scenario(t, ns, 'closeInListener');
    t.equal(r.seen, 3, 'three packets announced, the third one closed');
    t.equal(r.afterClose, 0, 'nothing after close()');
    t.equal(r.again, 'ETHERNET');
    t.equal(r.reopenGot, 1, 'the reopened capture sees the next packet');
  });

  t.test('link types, devices, open errors', async (t) => {
    const r = await scenario(t, ns, 'devices');
    t.same(r.links, { va: 'ETHERNET', any: 'LINKTYPE_LINUX_SLL', lo: 'ETHERNET' });
    const va = r.list?.find((d: any) => d.name === 'va');
    t.same(va, { name: 'va', addresses: [{ addr: '198.18.0.1', netmask: '255.255.255.0', broadaddr: '198.18.0.255' }] });
    t.same(r.staticList, r.list, 'Cap.deviceList is the same list');
    t.equal(r.findVa, 'va');
    t.equal(r.findVb, 'vb');
    t.equal(r.findLo, 'lo');
    t.equal(r.findNone, undefined);
    t.ok(['va', 'vb'].includes(r.findFirst), `no ip: the first non-loopback device with an address (${r.findFirst})`);
    t.match(r.noDevice, { code: 'ENODEV', message: /nmp-none0/ });
    t.match(r.badFilter, { code: 'EFILTER' });
    t.same(r.sendClosed, { name: 'Error', code: 'ECLOSED', message: 'Not currently capturing/open' });
    t.same(r.minClosed, r.sendClosed);
  });
});
