/**
 * `node -r netmap-pcap/register app.js`: a program written for the npm
 * `pcap` or `cap` module runs on netmap-pcap with no change at all.
 *
 * Loading this file is the whole API: it installs the require hook for the
 * drop-ins that sit beside it (dist/compat/pcap, dist/compat/cap).
 */
import { installRequireHook } from './hook';

installRequireHook(__dirname);
