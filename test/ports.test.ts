// Port names: the grammar of lib/ports.ts, every prefix, valid and bad
// names, and what openLive() refuses before the native open. No root needed
// (nothing here reaches a socket). The fanout worker example on a veth runs
// in test/workers.test.ts.
import t from 'tap';
import { checkPortName, findAllDevs, openLive, parsePortName, PORT_GRAMMAR } from '../index';
import { thrownBy } from './helpers/errors';

/** A fake /sys/class/net for the IF-N rule. */
const only = (...names: string[]) => ({ interfaceExists: (n: string) => names.includes(n) });


t.test('plain interfaces and any', async (t) => {
  for (const n of ['eth0', 'lo', 'any', 'veth-a', 'br-lan', 'x', 'a'.repeat(15), 'wlp0s20f3', 'eth0.100', 'eth0@x']) {
    t.match(parsePortName(n, only()), { name: n, backend: 'afpacket', device: n, available: true }, n);
    t.equal(parsePortName(n, only()).queue, undefined, `${n}: no queue`);
  }
});

t.test('IF-N: a queue only when IF-N does not exist and IF does', async (t) => {
  t.match(parsePortName('eth0-3', only('eth0')),
    { backend: 'afpacket', device: 'eth0', queue: 3, available: false }, 'eth0 exists, eth0-3 not: a queue');
  t.match(parsePortName('eth0-3', only('eth0', 'eth0-3')),
    { device: 'eth0-3', available: true }, 'eth0-3 exists: the interface');
  t.match(parsePortName('eth0-3', only()),
    { device: 'eth0-3', available: true }, 'neither exists: the name as given (ENODEV at open)');
  t.match(parsePortName('veth-a', only('veth')), { device: 'veth-a', queue: undefined }, 'not digits: a name');
  t.match(parsePortName('veth-1', only('veth')), { device: 'veth', queue: 1 });
  t.match(parsePortName('v-70000', only('v')), { device: 'v-70000', available: true },
    'a queue number over 65535 is not a queue');
  const e = thrownBy(() => checkPortName('eth0-3', only('eth0')));
  t.equal(e.code, 'ENOTSUP');
  t.match(e.message, /AF_PACKET cannot bind a socket to one queue/);
  t.match(e.message, /fanout: \{ group, mode: 'hash' \}/);
  t.match(e.message, /examples\/workers\.ts/);
  // The real /sys/class/net: lo exists, lo-7 does not.
  t.equal(thrownBy(() => openLive('lo-7')).code, 'ENOTSUP', 'openLive refuses lo-7 before any socket');
});

t.test('bad plain names: ENODEV with the grammar (as libpcap)', async (t) => {
  for (const n of ['x'.repeat(16), 'a/b', 'a b', 'tab\there', 'new\nline', '.', '..']) {
    const e = thrownBy(() => parsePortName(n));
    t.equal(e.code, 'ENODEV', JSON.stringify(n));
    t.match(e.message, /list interfaces with findAllDevs\(\)/);
    t.ok(e.message.includes(PORT_GRAMMAR), `${JSON.stringify(n)}: the grammar is in the message`);
  }
  t.match(thrownBy(() => parsePortName('x'.repeat(40))).message, /1 to 15 characters/);
});

t.test('empty and non-strings: EINVAL', async (t) => {
  for (const n of ['', undefined, null, 3, {}]) {
    const e = thrownBy(() => parsePortName(n as never));
    t.equal(e.code, 'EINVAL', String(n));
    t.match(e.message, /non-empty string.*port name is/);
  }
  t.equal(thrownBy(() => openLive(3 as never)).code, 'EINVAL');
});

t.test('pipe: ends', async (t) => {
  t.same(parsePortName('pipe:demo{0'),
    { name: 'pipe:demo{0', backend: 'pipe', device: 'demo', end: 'master', pipe: 0, available: true });
  t.match(parsePortName('pipe:demo}7'), { device: 'demo', end: 'slave', pipe: 7 });
  t.match(parsePortName(`pipe:A.b-c_${'9'.repeat(21)}{65535`), { pipe: 65535, end: 'master' });
  t.match(parsePortName(`pipe:${'n'.repeat(32)}}1`), { device: 'n'.repeat(32) });
  const bad: [string, RegExp][] = [
    ['pipe:', /NAME is missing/], ['pipe:x', /no \{ or \}/], ['pipe:{0', /NAME is missing/],
    ['pipe:x{', /pipe index N is missing/], ['pipe:x{a', /decimal digits/], ['pipe:x{-1', /decimal digits/],
    ['pipe:x y{0', /character " "/], ['pipe:x/y}0', /character "\/"/],
    [`pipe:${'n'.repeat(33)}{0`, /longer than 32/], ['pipe:x{65536', /over 65535/],
    ['pipe:x{0}1', /decimal digits/], ['pipe:é{0', /character "é"/],
  ];
  for (const [n, why] of bad) {
    const e = thrownBy(() => openLive(n));
    t.equal(e.code, 'EINVAL', n);
    t.match(e.message, why, `${n}: says why`);
    t.match(e.message, /pipe:NAME\{N .*pipe:NAME\}N/, `${n}: gives the grammar`);
  }
});

t.test('xdp: names: IF and IF-Q, available', async (t) => {
  const cases: [string, object][] = [
    ['xdp:eth0', { backend: 'xdp', device: 'eth0', queue: undefined }],
    ['xdp:eth0-3', { backend: 'xdp', device: 'eth0', queue: 3 }],
    ['xdp:veth-a', { backend: 'xdp', device: 'veth-a', queue: undefined }],
    ['xdp:veth-a-12', { backend: 'xdp', device: 'veth-a', queue: 12 }],
  ];
  for (const [n, want] of cases) t.match(parsePortName(n), { ...want, name: n, available: true }, n);
  // The native open is reached: a missing interface is ENODEV, named.
  const e = thrownBy(() => openLive('xdp:nmp-nosuch9'));
  t.equal(e.code, 'ENODEV');
  t.match(e.message, /no such device "nmp-nosuch9"/);
});

t.test('bad prefixed names: EINVAL with the grammar', async (t) => {
  const bad: [string, RegExp][] = [
    ['xdp:', /after the xdp: prefix, a Linux interface name has 1 to 15/], ['xdp:a/b', /character "\/"/],
    ['xdp:eth0-99999', /over 255/], [`xdp:${'e'.repeat(16)}`, /1 to 15/],
    ['netmap:', /after the netmap: prefix/], ['netmap:^', /after the netmap: prefix/], ['netmap:e{x', /decimal digits/],
    ['netmap:{1', /NAME is missing/],
    ['vale-x:p', /switch name/], ['vale0:', /port name PORT/], ['vale0:a b', /port name PORT/],
    ['foo:bar', /unknown prefix "foo:"/], [':x', /unknown prefix ":"/], ['eth0:1', /unknown prefix "eth0:"/],
    ['PIPE:x{0', /unknown prefix "PIPE:"/],
  ];
  for (const [n, why] of bad) {
    const e = thrownBy(() => openLive(n));
    t.equal(e.code, 'EINVAL', n);
    t.match(e.message, why, `${n}: says why`);
    t.ok(e.message.includes(PORT_GRAMMAR), `${n}: gives the grammar`);
  }
});

// The parser and C once disagreed: ports.ts took xdp: queues up to 65535,
// C refused 256 and up (its XSKMAP has 256 entries) with a message that
// said "over the 255 queues". Now C parses nothing and the bound is C's.
t.test('xdp: queues 0 to 255, the bound C exports', async (t) => {
  t.match(parsePortName('xdp:eth0-255'), { queue: 255 });
  for (const n of ['xdp:eth0-256', 'xdp:eth0-65535']) {
    const e = thrownBy(() => parsePortName(n));
    t.equal(e.code, 'EINVAL', n);
    t.match(e.message, /the queue number is over 255/, `${n}: says why`);
    t.match(e.message, /queue Q from 0 to 255/, `${n}: the grammar gives the range`);
  }
  // queue 255 reaches the native open (no such interface), not a name error
  t.equal(thrownBy(() => openLive('xdp:nmp-nosuch9-255')).code, 'ENODEV');
});

t.test('the checks run before the options and the native open', async (t) => {
  t.equal(thrownBy(() => openLive('lo-7', { snapLen: 1 } as never)).code, 'ENOTSUP');
  t.equal(thrownBy(() => openLive('pipe:x', { snapLen: 1 } as never)).code, 'EINVAL');
});

t.test('findAllDevs: the backends that open each device', async (t) => {
  const devs = findAllDevs();
  const by = (n: string) => devs.find((d) => d.name === n);
  t.same(by('lo')?.backends, ['afpacket'], 'lo: afpacket');
  t.same(by('any')?.backends, ['afpacket'], 'any: afpacket');
  t.ok(by('lo')!.addresses.length > 0, 'the existing fields are kept');
  for (const d of devs) {
    t.ok(Array.isArray(d.backends), `${d.name} has backends`);
    t.notOk(d.backends.includes('pipe' as never), `${d.name}: pipes are not devices`);
  }
  const nflog = by('nflog');
  if (nflog) t.same(nflog.backends, [], 'nflog: no backend of ours opens it');
});
