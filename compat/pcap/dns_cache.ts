/**
 * npm pcap's `pcap/dns_cache`: reverse DNS names, cached for the life of
 * the program (no TTL). `ptr(ip)` answers from the cache, or returns the
 * address itself and starts one lookup in the background.
 */
import { reverse } from 'node:dns';

class DNSCache {
  /** Answers so far: address to name (or to the address, when the lookup failed). */
  cache: Record<string, string> = {};
  /** Addresses whose lookup has been started. */
  requests: Record<string, boolean> = {};

  /** The cached name of `ip`, else `ip` (and a lookup is started once). */
  ptr(ip: string): string {
    if (this.cache[ip]) return this.cache[ip];
    if (this.requests[ip] === undefined) {
      this.requests[ip] = true;
      reverse(ip, (err, domains) => this.on_ptr(err, ip, domains));
    }
    return ip;
  }

  /** Lookup result handler: a failure caches the address itself. */
  on_ptr(err: Error | null, ip: string, domains: string[]): void {
    this.cache[ip] = err ? ip : domains[0];
  }
}

export = DNSCache;
