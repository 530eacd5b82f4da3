#ifndef CT_NETNS_H
#define CT_NETNS_H

#include <stdint.h>

struct ct_diag;
struct ct_diag_ev;
struct ct_netns;
struct ct_portrange;

/*
 * Entering network namespaces: -N, and the one sock_diag socket that
 * --all-netns opens in each namespace (nsset.h finds them).
 */

/*
 * Enter the network namespace named by spec: a PID (all digits) means
 * /proc/PID/ns/net, a spec with a '/' is a path, anything else is
 * /run/netns/NAME. Returns 0 or -errno (-ENOENT: no such namespace).
 */
int		 netns_enter(const char *spec);
/* The path netns_enter() would open, into buf; for error messages. */
void		 netns_path(const char *spec, char *buf, unsigned long len);
/*
 * The namespace's name for -N spec: spec itself when it is a name (of
 * /run/netns), else NULL (a path or a pid names no namespace).
 */
const char	*netns_spec_name(const char *spec);

/*
 * Describe the namespace the calling thread is in, reading procroot: its
 * identity, CT_NS_HOST when it is PID 1's, CT_NS_SELF, and its name (name,
 * or else "host" or "net:[INODE]"). Returns 0 or -errno.
 */
int		 netns_describe_self(const char *procroot, const char *name,
		    struct ct_netns *out);
/*
 * Read the ephemeral port range of the namespace the calling thread is in,
 * from PROCROOT/sys/net/ipv4/ip_local_port_range and ..._reserved_ports (a
 * missing reserved file means none). On failure r holds the kernel's
 * defaults with known false, and -errno comes back.
 */
int		 netns_read_range(const char *procroot, struct ct_portrange *r);
/*
 * Open a sock_diag socket inside the namespace of nsfd: the calling thread
 * enters it, opens the socket (which stays bound to it), reads its port
 * range into range when that is not NULL, and goes back to the namespace
 * of homefd. Returns 0, -errno from entering (nothing opened) or opening,
 * or -ENOTRECOVERABLE when the thread could not go back: it must not be
 * used for anything but exiting then.
 */
int		 netns_diag_open(int nsfd, int homefd, const char *procroot,
		    struct ct_diag **out, struct ct_portrange *range);
/*
 * The same visit, and a destroy-event socket for the groups evgroups
 * (diag_event.h) opened there first, so that nothing the dumps see can
 * close unheard: *ev, or NULL when that one failed (the dumps go on; the
 * samples alone then tell what closed).
 */
int		 netns_diag_open_events(int nsfd, int homefd, const char *procroot,
		    struct ct_diag **out, struct ct_portrange *range,
		    unsigned evgroups, struct ct_diag_ev **ev);

#endif /* CT_NETNS_H */
