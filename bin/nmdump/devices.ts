/**
 * -D's list and the device a capture uses when -i is not given: like
 * tcpdump, the first device that can be opened and is not a loopback.
 */
import { findAllDevs, PcapError } from '../../index';

const LOOPBACK = 0x1;
const UP = 0x2;
const RUNNING = 0x4;
const WIRELESS = 0x8;
const CONNECTION = 0x30;
const CONNECTION_NAMES = ['', 'Connected', 'Disconnected', 'Not applicable'];

/** tcpdump -D's bracketed flags: "[Up, Running, Connected]". */
function flagText(flags: number): string {
  const words: string[] = [];
  if (flags & UP) words.push('Up');
  if (flags & RUNNING) words.push('Running');
  if (flags & WIRELESS) words.push('Wireless');
  if (flags & LOOPBACK) words.push('Loopback');
  const status = CONNECTION_NAMES[(flags & CONNECTION) >> 4];
  if (status) words.push(status);
  return words.length ? ` [${words.join(', ')}]` : '';
}

/** -D: "1.eth0 [Up, Running, Connected]", one device a line, openable ones only. */
export function deviceList(): string {
  return findAllDevs()
    .filter((d) => d.backends.length > 0)
    .map((d, i) => `${i + 1}.${d.name}${d.description ? ` (${d.description})` : ''}${flagText(d.flags)}`)
    .join('\n');
}

/** The default capture device. */
export function chooseDevice(): string {
  const devices = findAllDevs().filter((d) => d.backends.length > 0 && d.name !== 'any');
  const pick = devices.find((d) => !(d.flags & LOOPBACK) && d.flags & UP) ?? devices.find((d) => !(d.flags & LOOPBACK));
  if (!pick) throw new PcapError('no capture device found: name one with -i (nmdump -D lists them)', 'ENODEV');
  return pick.name;
}
