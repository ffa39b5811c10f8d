/**
 * Library messages as a command-line user needs them: the library tells
 * programmers which call to make (findAllDevs(), an option name); the
 * tools tell users which command to run instead.
 */
const API_TO_CLI: Array<[RegExp, string]> = [
  [/list devices with findAllDevs\(\) or `ip link`/g, 'list devices with `nmdump -D` or `ip link`'],
  [/findAllDevs\(\)/g, '`nmdump -D`'],
  [/\(option txWaitMs\)/g, ''],
  [/await session\.send\(\) waits for room without blocking/g, 'lower the rate (--pps, --mbps) or check the link'],
];

/** The first line of a library error message, in command-line terms. */
export function cliMessage(message: string): string {
  let text = message.split('\n')[0];
  for (const [api, cli] of API_TO_CLI) text = text.replace(api, cli);
  return text.replace(/ {2,}/g, ' ').trim();
}
