// netmap and VALE port names: how they parse, and what opening one says on
// a machine without the netmap module. Runs everywhere, no root needed;
// the live tests against the real module are in netmap-vm.test.ts.
import t from 'tap';
import { existsSync } from 'node:fs';
import { findAllDevs, openLive, parsePortName } from '../index';
import { thrownBy } from './helpers/errors';


const NAMES: [string, object][] = [
  ['netmap:eth0', { backend: 'netmap', device: 'eth0', rings: 'hw', queue: undefined }],
  ['netmap:eth0-2', { backend: 'netmap', device: 'eth0', queue: 2, rings: 'hw' }],
  ['netmap:veth-a', { backend: 'netmap', device: 'veth-a', queue: undefined, rings: 'hw' }],
  ['netmap:eth0^', { backend: 'netmap', device: 'eth0', rings: 'host' }],
  ['netmap:eth0*', { backend: 'netmap', device: 'eth0', rings: 'all' }],
  ['netmap:p{1', { backend: 'netmap', device: 'p', end: 'master', pipe: 1 }],
  ['netmap:p}1', { backend: 'netmap', device: 'p', end: 'slave', pipe: 1 }],
  ['vale0:a', { backend: 'vale', switch: '0', device: 'a' }],
  ['vale:p1', { backend: 'vale', switch: '', device: 'p1' }],
  ['valeSw_1:port.2', { backend: 'vale', switch: 'Sw_1', device: 'port.2' }],
];

t.test('netmap and VALE names parse, and are available', async (t) => {
  for (const [n, want] of NAMES) {
    t.match(parsePortName(n), { ...want, name: n, available: true }, n);
  }
});

t.test('after netmap:, a trailing -DIGITS is a ring; other dashes are the name', async (t) => {
  t.match(parsePortName('netmap:veth-a'), { device: 'veth-a', queue: undefined });
  t.match(parsePortName('netmap:veth-a-3'), { device: 'veth-a', queue: 3 });
});

t.test('without /dev/netmap: ENODEV naming the module and the alternatives', async (t) => {
  if (existsSync('/dev/netmap')) {
    t.plan(0, 'skip: the netmap module is loaded here');
    return;
  }
  for (const [n] of NAMES) {
    const e = thrownBy(() => openLive(n));
    t.equal(e.code, 'ENODEV', `${n}: ENODEV`);
    t.match(e.message, 'the netmap kernel module is not loaded (/dev/netmap does not exist)', `${n}: names netmap`);
    t.match(e.message, /plain interface name .*pipe: port/, `${n}: gives the alternatives`);
  }
  t.notOk(findAllDevs().some((d) => d.name.startsWith('netmap:')), 'findAllDevs lists no netmap: names');
});
