/**
 * Savefile names while rotating, as tcpdump makes them (its MakeFilename):
 * with -G the name is first passed through strftime for the rotation's
 * start time; with -C a file number follows, zero-padded to as many digits
 * as -W's largest number needs (none without -W), and the very first file
 * keeps the bare name when there is no padding.
 */

/** Digits of the largest file number -W allows (W - 1), as tcpdump counts them. */
export function fileNumberWidth(fileCount: number | undefined): number {
  let width = 0;
  for (let x = (fileCount ?? 0) - 1; x > 0; x = Math.floor(x / 10)) width++;
  return width;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

/**
 * strftime over local time for the conversions people put in -G names
 * (%Y %m %d %H %M %S %y %j %s %e %a %A %b %B %F %T %%). An unknown
 * conversion is kept as written.
 */
export function strftime(format: string, when: Date): string {
  const startOfYear = new Date(when.getFullYear(), 0, 1);
  const yday = Math.floor((when.getTime() - startOfYear.getTime()) / 86_400_000) + 1;
  const fields: Record<string, () => string> = {
    Y: () => String(when.getFullYear()),
    y: () => pad(when.getFullYear() % 100, 2),
    m: () => pad(when.getMonth() + 1, 2),
    d: () => pad(when.getDate(), 2),
    e: () => String(when.getDate()).padStart(2, ' '),
    H: () => pad(when.getHours(), 2),
    M: () => pad(when.getMinutes(), 2),
    S: () => pad(when.getSeconds(), 2),
    j: () => pad(yday, 3),
    s: () => String(Math.floor(when.getTime() / 1000)),
    a: () => DAYS[when.getDay()].slice(0, 3),
    A: () => DAYS[when.getDay()],
    b: () => MONTHS[when.getMonth()].slice(0, 3),
    B: () => MONTHS[when.getMonth()],
    F: () => `${fields.Y()}-${fields.m()}-${fields.d()}`,
    T: () => `${fields.H()}:${fields.M()}:${fields.S()}`,
    '%': () => '%',
  };
  return format.replace(/%(.)/g, (whole, c: string) => (fields[c] ? fields[c]() : whole));
}

export interface NamingOptions {
  /** -w's argument. */
  base: string;
  /** -C given: files are numbered. */
  bySize: boolean;
  /** -G given: the name goes through strftime. */
  byTime: boolean;
  /** -W's argument. */
  fileCount?: number;
}

/** The name of file number `index` of a rotation that started at `when`. */
export function rotatedName(o: NamingOptions, index: number, when: Date): string {
  const name = o.byTime ? strftime(o.base, when) : o.base;
  const width = o.bySize ? fileNumberWidth(o.fileCount) : 0;
  if (index === 0 && width === 0) return name;
  return name + pad(index, width);
}
