/*
 * The XDP redirect program, assembled here as BPF instructions (so
 * installing the package needs no clang), loaded and attached with
 * libbpf's low-level calls. See xdp_prog.h for the life-cycle.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdp_prog.h"

/* The name the kernel shows (bpftool, ip link); also how a port
 * recognizes the program another port attached. */
#define PROG_NAME "nmp_xsk"
#define MAP_NAME "nmp_xsks"

static const char *fix_bpf_privileges =
	"run as root, or grant the capabilities with `sudo setcap "
	"cap_net_raw,cap_net_admin,cap_bpf,cap_sys_admin+eip "
	"$(readlink -f $(which node))`";

static int bpf_fail(struct nmp_err *err, const char *what, const char *ifname,
		    int e)
{
	if (e == EPERM || e == EACCES)
		return nmp_fail(err, "EPERM", "%s for %s needs CAP_BPF and "
				"CAP_NET_ADMIN (or CAP_SYS_ADMIN): %s", what,
				ifname, fix_bpf_privileges);
	if (e == ENOSYS)
		return nmp_fail(err, "ENOTSUP", "%s for %s: this kernel has no "
				"bpf() system call; it needs CONFIG_BPF_SYSCALL",
				what, ifname);
	return nmp_fail(err, nmp_errno_code(e), "%s for %s failed: %s", what,
			ifname, strerror(e));
}

static int create_map(const char *ifname, struct nmp_err *err)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_XSKMAP, MAP_NAME, sizeof(__u32),
				sizeof(__u32), NMP_XDP_MAX_QUEUES, NULL);

	if (fd >= 0)
		return fd;
	if (errno == EINVAL)   /* the map type is unknown */
		return nmp_fail(err, "ENOTSUP", "this kernel has no AF_XDP "
				"socket maps (XSKMAP): it needs "
				"CONFIG_XDP_SOCKETS (Linux 4.18+)");
	return bpf_fail(err, "creating an XSKMAP", ifname, errno);
}

/*
 * return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
 * The flags' low bits are the action when the queue has no socket
 * (Linux 5.3+): those packets go on to the stack.
 */
static int load_program(int map_fd, const char *ifname, struct nmp_err *err)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_LDX | BPF_W | BPF_MEM, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_REG_1,
		  .off = offsetof(struct xdp_md, rx_queue_index) },
		/* a 64-bit immediate takes two instructions */
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
		{ .code = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, PROG_NAME, "Dual BSD/GPL",
			       insns, sizeof(insns) / sizeof(insns[0]), NULL);

	if (fd < 0)
		return bpf_fail(err, "loading the XDP program", ifname, errno);
	return fd;
}

/* Native XDP where the driver has it, generic (skb) XDP otherwise. */
static int create_link(int prog_fd, int ifindex, int *native)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_DRV_MODE);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);

	*native = 1;
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EINVAL))
		return fd;
	opts.flags = XDP_FLAGS_SKB_MODE;
	*native = 0;
	return bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
}

/* Is prog_id our program? If so, open its map. 1 yes, 0 no, -1 error. */
static int our_program(uint32_t prog_id, int *map_fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), map_id = 0;
	int fd = bpf_prog_get_fd_by_id(prog_id), rc = 0;

	if (fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 1;
	info.map_ids = (uint64_t)(uintptr_t)&map_id;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
	    strcmp(info.name, PROG_NAME) == 0 && info.nr_map_ids == 1) {
		*map_fd = bpf_map_get_fd_by_id(map_id);
		rc = *map_fd >= 0 ? 1 : -1;
	}
	close(fd);
	return rc;
}

/*
 * Take a descriptor of the link that holds our program on ifindex. Link
 * ids are global but interface indices are per network namespace, so the
 * link is found by the id of the program attached here. 1 joined, 0 none
 * (it went away meanwhile), -1 with err set when the interface holds a
 * program that is not ours.
 */
static int join_link(struct nmp_xdp_prog *x, int ifindex, const char *ifname,
		     struct nmp_err *err)
{
	uint32_t attached = 0, id = 0;
	int ours;

	if (bpf_xdp_query_id(ifindex, 0, &attached) < 0 || attached == 0)
		return 0;
	ours = our_program(attached, &x->map_fd);
	if (ours < 0 && (errno == EPERM || errno == EACCES))
		return nmp_fail(err, "EPERM", "another port has the XDP program "
				"on %s; sharing it needs CAP_SYS_ADMIN: %s",
				ifname, fix_bpf_privileges);
	if (ours == 0)
		return nmp_fail(err, "EBUSY", "XDP program %u is already attached "
				"to %s; remove it with `ip link set dev %s xdp "
				"off` (or stop the program that attached it)",
				attached, ifname, ifname);
	if (ours < 0)
		return 0;
	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    info.type == BPF_LINK_TYPE_XDP && info.prog_id == attached) {
			x->link_fd = fd;
			return 1;
		}
		close(fd);
	}
	close(x->map_fd);
	x->map_fd = -1;
	return 0;
}

int nmp_xdp_prog_attach(struct nmp_xdp_prog *x, int ifindex,
			const char *ifname, struct nmp_err *err)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int map_fd, prog_fd = -1, tries;

	x->link_fd = x->map_fd = -1;
	map_fd = create_map(ifname, err);
	if (map_fd < 0)
		return -1;
	prog_fd = load_program(map_fd, ifname, err);
	if (prog_fd < 0)
		goto fail;
	/* Another port may attach or let go between our steps: a few rounds
	 * settle it. */
	for (tries = 0; tries < 4 && x->link_fd < 0; tries++) {
		int rc;

		x->link_fd = create_link(prog_fd, ifindex, &x->native);
		if (x->link_fd >= 0) {
			x->map_fd = map_fd;
			map_fd = -1;
			break;
		}
		if (errno != EBUSY && errno != EEXIST) {
			bpf_fail(err, "attaching the XDP program", ifname, errno);
			goto fail;
		}
		rc = join_link(x, ifindex, ifname, err);
		if (rc < 0)
			goto fail;
		if (rc == 0 && tries == 3) {
			nmp_fail(err, "EBUSY", "the XDP program on %s kept "
				 "changing while this port attached to it; "
				 "try again", ifname);
			goto fail;
		}
	}
	if (bpf_xdp_query(ifindex, 0, &q) == 0)
		x->native = q.attach_mode != XDP_ATTACHED_SKB;
	close(prog_fd);
	if (map_fd >= 0)
		close(map_fd);
	return 0;
fail:
	if (prog_fd >= 0)
		close(prog_fd);
	if (map_fd >= 0)
		close(map_fd);
	nmp_xdp_prog_release(x);
	return -1;
}

int nmp_xdp_prog_add_socket(struct nmp_xdp_prog *x, uint32_t queue, int fd,
			    const char *ifname, struct nmp_err *err)
{
	if (bpf_map_update_elem(x->map_fd, &queue, &fd, BPF_ANY) < 0)
		return bpf_fail(err, "registering the AF_XDP socket", ifname,
				errno);
	return 0;
}

void nmp_xdp_prog_release(struct nmp_xdp_prog *x)
{
	if (x->link_fd >= 0)
		close(x->link_fd);
	if (x->map_fd >= 0)
		close(x->map_fd);
	x->link_fd = x->map_fd = -1;
}
