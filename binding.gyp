{
  "targets": [
    {
      "target_name": "netmap_pcap",
      "sources": [
        "csrc/binding.c",
        "csrc/binding_devices.c",
        "csrc/binding_filter.c",
        "csrc/binding_layout.c",
        "csrc/binding_port.c",
        "csrc/binding_savefile.c",
        "csrc/binding_util.c",
        "csrc/bpf_run.c",
        "csrc/filter.c",
        "csrc/link_watch.c",
        "csrc/mem.c",
        "csrc/netdev.c",
        "csrc/nmp_err.c",
        "csrc/port.c",
        "csrc/port_afpacket.c",
        "csrc/port_netmap.c",
        "csrc/port_pipe.c",
        "csrc/port_xdp.c",
        "csrc/ring.c",
        "csrc/savefile_read.c",
        "csrc/savefile_walk.c",
        "csrc/tx_wait.c",
        "csrc/xdp_gather.c",
        "csrc/xdp_prog.c"
      ],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-lpcap", "-lbpf"]
    }
  ]
}
