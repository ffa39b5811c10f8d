/** nmdump's usage text: the flags, with an example (netmap's bridge.c style). */
export const USAGE = `Usage: nmdump [-i IF | -r FILE] [-w FILE [--pcapng [--capture-comment TEXT]] [-C MB] [-W N] [-G SEC] [-U]]
              [-c COUNT] [-s SNAPLEN] [-B KiB] [-p] [-Q in|out|inout] [--immediate-mode]
              [-n] [-e] [-q] [-v] [-x|-xx|-X|-XX|-A] [-t|-tt|-ttt|-tttt|-ttttt]
              [--time-stamp-precision=micro|nano] [-l] [-F FILE | EXPRESSION]
       nmdump -D
Capture packets (netmap-pcap's tcpdump). Examples:
  nmdump -i eth0 -n -c 10 'tcp port 443'      print ten packets
  nmdump -i any -w trace.pcapng --pcapng       write a file until Ctrl-C
  nmdump -i eth0 -i eth1 -w both.pcapng --pcapng   two ports, one file (an interface block each)
  nmdump -i xdp:eth0-1 -c 100 udp             queue 1 of eth0 over AF_XDP
  nmdump -n -e -r trace.pcap                   print a savefile
  nmdump -i eth0 -w ring.pcap -C 100 -W 5      five files of 100 MB in turn
Flags have tcpdump's meaning; see README.md, "### nmdump".`;
