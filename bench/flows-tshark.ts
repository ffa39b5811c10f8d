/**
 * tshark as the flows part's peer: run under bash so that `times` gives its
 * user+sys CPU (getrusage of the child), its stdout counted as it streams
 * (never held whole), and the parsers for what it prints.
 */
import { spawn } from 'node:child_process';

/** Counts of a `-z follow,tcp,raw,N` report as it streams: streams and payload bytes (hex digits / 2). */
export class FollowCounter {
  streams = 0;
  bytes = 0;
  #rest = '';

  push(text: string): void {
    const lines = (this.#rest + text).split('\n');
    this.#rest = lines.pop() ?? '';
    for (const l of lines) this.#line(l);
  }

  end(): void { if (this.#rest) this.#line(this.#rest); this.#rest = ''; }

  #line(l: string): void {
    // Data lines are hex (the second node's after a tab); the rest start with a capital or '='.
    const c = l.charCodeAt(0);
    if (c === 0x09) this.bytes += (l.length - 1) >> 1;
    else if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) this.bytes += l.length >> 1;
    else if (l.startsWith('Follow: ')) this.streams++;
  }
}

/** Lines of output (one per packet a `-T fields` run printed). */
export class LineCounter {
  lines = 0;
  push(text: string): void { for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lines++; }
  end(): void {}
}

/** bash's `times`, second line (the children): user and sys as "XmY.YYYs XmY.YYYs", in ns. */
export function parseTimes(stderr: string): number {
  const rows = stderr.split('\n').filter((l) => /^\d+m[\d.]+s \d+m[\d.]+s$/.test(l.trim()));
  const last = rows[rows.length - 1];
  if (!last) throw new Error(`no CPU times from bash: ${stderr.trim().slice(-300)}`);
  const [u, s] = last.trim().split(' ').map((x) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(x)!;
    return Number(m[1]) * 60 + Number(m[2]);
  });
  return (u + s) * 1e9;
}

export interface TsharkRun { wallNs: number; cpuNs: number }

/** tshark ARGS, stdout into `sink`; wall from spawn to exit, CPU from `times`. */
export function tshark(args: string[], sink: { push(t: string): void; end(): void }, timeoutMs: number): Promise<TsharkRun> {
  const script = 'tshark "$@"; rc=$?; times >&2; exit $rc';
  const t0 = process.hrtime.bigint();
  const p = spawn('bash', ['-c', script, 'bash', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stdout.setEncoding('latin1').on('data', (t: string) => sink.push(t));
  p.stderr.setEncoding('utf8').on('data', (t: string) => { err += t; if (err.length > 65536) err = err.slice(-32768); });
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    p.on('close', (code) => {
      clearTimeout(timer);
      const wallNs = Number(process.hrtime.bigint() - t0);
      sink.end();
      if (code !== 0) { reject(new Error(`tshark exited ${code}: ${err.trim().slice(-300)}`)); return; }
      try { resolve({ wallNs, cpuNs: parseTimes(err) }); } catch (e) { reject(e as Error); }
    });
  });
}

/** A run with tshark's fixed cost (start-up, dissector registration, exit: a run on an empty file) taken off. */
export function lessStartup(run: TsharkRun, empty: TsharkRun): TsharkRun {
  return { wallNs: Math.max(0, run.wallNs - empty.wallNs), cpuNs: Math.max(0, run.cpuNs - empty.cpuNs) };
}

/** Arguments of one pass that follows every stream 0..n-1 (one follow tap each) and prints each as raw hex. */
export function followArgs(file: string, streams: number): string[] {
  const taps = Array.from({ length: streams }, (_, i) => ['-z', `follow,tcp,raw,${i}`]).flat();
  return ['-r', file, '-q', '-o', 'tcp.desegment_tcp_streams:TRUE', '-o', 'tcp.reassemble_out_of_order:TRUE', ...taps];
}

/** Arguments of a defragmenting pass that prints one line per UDP datagram (rebuilt ones once). */
export function defragArgs(file: string): string[] {
  return ['-r', file, '-o', 'ip.defragment:TRUE', '-o', 'ipv6.defragment:TRUE', '-Y', 'udp', '-T', 'fields', '-e', 'frame.number'];
}
