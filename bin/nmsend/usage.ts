/** nmsend's usage text (printed by -h, and after every command-line error). */
export const USAGE = `\
usage: nmsend -i IF [replay options] FILE...      replay pcap/pcapng files
       nmsend -i IF --generate [generate options] synthesise IPv4 traffic

  -i, --interface IF     the port to send on (eth0, veth-a, xdp:eth0-1, pipe:NAME{0, ...)
  --duration S           stop after S seconds
  -h, --help             this text
  --version              the version of nmsend and of libpcap

replay (timing as captured unless one of the first four is given):
  --pps N                N packets per second
  --mbps N               N Mbit/s (frame bytes, no FCS)
  --multiplier X         the captured timing, X times faster
  --topspeed             as fast as the link takes them
  --loop N               play the files N times (0: until --duration, --limit or Ctrl-C)
  --limit N              stop after N packets

generate (one frame per packet, written straight into the TX ring):
  --count N              stop after N packets (default: until --duration or Ctrl-C)
  --rate PPS             N packets per second (default: as fast as possible)
  --proto P              udp (default), tcp-syn or icmp
  --size N | MIN-MAX     frame bytes without FCS (default 60); a range cycles
  --src-mac MAC          default: the interface's address
  --dst-mac MAC          default: ff:ff:ff:ff:ff:ff
  --src-ip A[-B]         default 198.18.0.1
  --dst-ip A[-B]         default 198.19.0.1; must be in 198.18.0.0/15
  --allow-any-dst        ... unless this is given
  --src-port P[-Q]       default 1234
  --dst-port P[-Q]       default 4321
  --seq                  stamp each payload with a sequence number and the send time

examples:
  nmsend -i veth0 --pps 20000 trace.pcap
  nmsend -i veth0 --topspeed --loop 10 a.pcapng b.pcap
  nmsend -i veth0 --generate --count 100000 --rate 50000 --size 64-1500 --seq
`;
