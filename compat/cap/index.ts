/**
 * The npm `cap` 0.2.1 module, on netmap-pcap: `require('netmap-pcap/cap')`,
 * or `require('cap')` under `node -r netmap-pcap/register`.
 *
 * The export has cap's shape: `{ Cap, findDevice, deviceList, decoders }`.
 */
import { Cap } from './cap';
import { deviceList, findDevice } from './devices';
import * as decoders from './decoders';

export = { Cap, findDevice, deviceList, decoders };
