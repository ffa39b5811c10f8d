/**
 * `import cap from 'netmap-pcap/cap'` and `import { Cap, decoders } from
 * 'netmap-pcap/cap'` (or from 'cap' under `--import netmap-pcap/register`).
 * The default export is the CommonJS export, cap's `{ Cap, findDevice,
 * deviceList, decoders }`; the named exports are its properties.
 */
import cap from '../cap/index.js';

export default cap;
export const { Cap, findDevice, deviceList, decoders } = cap;
