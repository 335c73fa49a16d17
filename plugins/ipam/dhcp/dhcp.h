/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp.h — the dhcp IPAM plugin's shared parts: its config, the option
 * names, the plugin <-> daemon protocol (a JSON request and a JSON reply
 * per connection on a unix socket), the daemon's files beside its socket,
 * and the one file that touches the container's namespace (dhcp-link.c).
 * The daemon's own parts are in dhcp-daemon.h, DHCP messages in
 * dhcp-packet.h.
 */
#ifndef CCNI_DHCP_H
#define CCNI_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ccni/plugin.h>

#define DHCP_SOCKET_DEFAULT "/run/cni/dhcp.sock"
#define DHCP_PATH_MAX 108 /* sun_path, with its NUL */
#define DHCP_MAX_REQUEST 64
#define DHCP_MAX_PROVIDE 16
#define DHCP_IPC_MAX (256 * 1024) /* bytes of one request or reply */

struct dhcp_option {
	uint8_t code;
	uint8_t len;
	uint8_t data[255];
};

/* The ipam object, resolved: option names are codes, fromArg values read. */
struct dhcp_conf {
	char socket_path[DHCP_PATH_MAX];
	uint8_t request[DHCP_MAX_REQUEST]; /* the parameter request list (55) */
	int n_request;
	struct dhcp_option provide[DHCP_MAX_PROVIDE]; /* sent with every request */
	int n_provide;
	uint32_t priority; /* the metric of every route; 0: none */
};

/* dhcp-config.c */
int dhcp_conf_parse(const struct ccni_request *req, struct dhcp_conf *c, struct ccni_error *err);
/* `ccni validate`: the keys it reads, and its parser alone. */
extern const char *const dhcp_keys[];
int dhcp_validate(const struct ccni_request *req, struct ccni_error *err);
/* An option by its dhcp-options(5) name or its number (1-254). 0 or -1. */
int dhcp_option_code(const char *name, uint8_t *code);
/* The reference's client identifier: "ID/NETWORK/IFNAME", at most 254
 * bytes; sent as option 61 after a type byte 0. Returns its length. */
size_t dhcp_client_id(const char *id, const char *network, const char *ifname, uint8_t out[255]);

/* dhcp-files.c: the files beside the socket P. P.lock serialises starting
 * the daemon; P.d/ holds the leases (one file per attachment) and, for a
 * daemon the plugin started, daemon.log and daemon.pid. */
#define DHCP_LEASE_NAME_LEN 38 /* 32 hex digits + ".json" + NUL */
void dhcp_lease_name(const char *id, const char *network, const char *ifname,
		     char out[DHCP_LEASE_NAME_LEN]);
/* "P.lock", "P.d" and "P.d/NAME" into out (size DHCP_PATH_MAX + 64). */
#define DHCP_FILE_MAX (DHCP_PATH_MAX + 64)
void dhcp_path(const char *socket_path, const char *suffix, char out[DHCP_FILE_MAX]);
/* Is there a lease file for the attachment (or, with id NULL, any)? */
bool dhcp_state_has(const char *socket_path, const char *id, const char *network,
		    const char *ifname);

/* dhcp-ipc.c: the plugin's side. Sends req to the daemon on the
 * socket and gives its reply. With start, a daemon that does not answer is
 * started (one, however many plugins race: P.lock) and waited for. A reply
 * carrying an error becomes err. Returns 0, or -1 with err set; 1 when
 * nothing answers and start was false. */
int dhcp_ipc_call(const char *socket_path, json_t *req, bool start, json_t **reply,
		  struct ccni_error *err);
/* Both sides: a connection's whole message, bounded by DHCP_IPC_MAX. */
int dhcp_ipc_send(int fd, json_t *msg);
/* Bytes as hex text, and back (at most cap bytes; the length or -1). */
json_t *dhcp_json_hex(const uint8_t *p, size_t n);
ssize_t dhcp_json_unhex(json_t *v, uint8_t *out, size_t cap);
/* The options of a request or a lease file: "request": [code...] and
 * "provide": [{"code", "value": hex}...]. 0, or -1 (out of memory, or a
 * malformed list). */
int dhcp_json_put_options(json_t *obj, const uint8_t *request, int n_request,
			  const struct dhcp_option *provide, int n_provide);
int dhcp_json_get_options(json_t *obj, uint8_t *request, int *n_request,
			  struct dhcp_option *provide, int *n_provide);
/* Can a daemon on socket_path be started (for STATUS)? 0 or -1 with why. */
int dhcp_ipc_can_start(const char *socket_path, struct ccni_error *err);

/* dhcp-link.c: the container side (the only file that uses net/). */
struct dhcp_link {
	int fd;     /* AF_PACKET, SOCK_DGRAM, IPv4, bound to the interface */
	int ifindex;
	uint8_t mac[6];
	char ifname[16];
	bool raised; /* it was down: dhcp_link_open set it up */
};
/* Open the packet socket on ifname inside the netns at path, and bring
 * the link up (as the reference: main plugins call IPAM before they do).
 * Errors: code 3 when the netns is gone, 107 when the interface is. */
int dhcp_link_open(const char *netns, const char *ifname, struct dhcp_link *l,
		   struct ccni_error *err);
void dhcp_link_close(struct dhcp_link *l);
/* Set the link down (a lease lost to another client). 0 or -1. */
int dhcp_link_down(const struct dhcp_link *l);
/* Is the link up with a carrier (IFF_RUNNING)? */
bool dhcp_link_running(const struct dhcp_link *l);
/* Send an IPv4 packet to dst (a MAC, or NULL for broadcast). 0 or -errno. */
int dhcp_link_send(const struct dhcp_link *l, const uint8_t *dst, const void *pkt, size_t len);
/* One IPv4 packet for us: length, 0 when none is waiting, -1 on error.
 * *csum_ok is false when the kernel left the UDP checksum to hardware. */
ssize_t dhcp_link_recv(const struct dhcp_link *l, void *buf, size_t len, uint8_t src[6],
		       bool *csum_ok);
/* Does ifname in the netns carry addr/prefix? 1, 0, or -1 with err. */
int dhcp_link_has_addr(const char *netns, const char *ifname, uint32_t addr, int prefix,
		       struct ccni_error *err);

/* dhcp-daemon.c: "dhcp daemon [flags]"; the exit status. */
int dhcp_daemon_main(int argc, char **argv);

extern const struct ccni_plugin plugin_dhcp;

#endif
