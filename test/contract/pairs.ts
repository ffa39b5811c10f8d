// One entry per backend: how to get two connected ports of it. The
// conformance scenarios (scenarios.ts) run unchanged on every entry, so a
// new backend is proven by adding its row here.
//
// `where` says what the pair needs: 'local' runs anywhere (no root),
// 'netns' inside a network namespace holding the veth pair va <-> vb (both
// ends inside it; conformance.test.ts makes it), 'vm' inside the netmap VM
// (../shared/netmap-vm), where /dev/netmap exists.
import { execFileSync } from 'node:child_process';
import type { LiveSession } from '../../index';

export type Where = 'local' | 'netns' | 'vm';

export interface PairFactory {
  /** What `session.backend` says for both ports. */
  readonly backend: string;
  readonly where: Where;
  /** Two connected port names; `tag` makes them unique within a run. */
  names(tag: string): [string, string];
  /**
   * Make port a lose its link or its peer, as a fault does (b may be
   * closed by it); or, where the backend cannot tell a port of it, why.
   */
  readonly kill: ((a: LiveSession, b: LiveSession) => void) | { notApplicable: string };
}

/** Take a's interface down (the veth pair's va end): its link goes away. */
function linkDown(): void {
  execFileSync('ip', ['link', 'set', 'dev', 'va', 'down']);
}

export const PAIRS: Readonly<Record<string, PairFactory>> = {
  afpacket: { backend: 'afpacket', where: 'netns', names: () => ['va', 'vb'], kill: linkDown },
  xdp: { backend: 'xdp', where: 'netns', names: () => ['xdp:va', 'xdp:vb'], kill: linkDown },
  pipe: {
    backend: 'pipe', where: 'local',
    names: (tag) => [`pipe:ct${tag}{0`, `pipe:ct${tag}}0`],
    kill: (_a, b) => b.close(),
  },
  'netmap-pipe': {
    backend: 'netmap', where: 'vm',
    names: (tag) => [`netmap:ct${tag}{0`, `netmap:ct${tag}}0`],
    kill: { notApplicable: "netmap's kernel pipes do not tell one end that the other closed" },
  },
  vale: {
    backend: 'vale', where: 'vm',
    names: (tag) => [`vale0:a${tag}`, `vale0:b${tag}`],
    kill: { notApplicable: 'a VALE port has no peer of its own: the switch stays' },
  },
};
