/**
 * npm pcap's `pcap/util`: lookup tables from a byte to its text, used by
 * the address classes' toString().
 */

/** Byte to two lower-case hex digits ("0a"). */
export const int8_to_hex: string[] = [];
/** Byte to hex without padding ("a"). */
export const int8_to_hex_nopad: string[] = [];
/** Byte to decimal ("10"). */
export const int8_to_dec: string[] = [];

for (let i = 0; i < 256; i++) {
  int8_to_hex[i] = i.toString(16).padStart(2, '0');
  int8_to_hex_nopad[i] = i.toString(16);
  int8_to_dec[i] = String(i);
}
