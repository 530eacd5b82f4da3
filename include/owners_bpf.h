#ifndef CT_OWNERS_BPF_H
#define CT_OWNERS_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "owners.h"
#include "owners_link.h"
#include "sock.h"

/*
 * Owners from a BPF iter/task_file program (src/bpf/owners.bpf.c): the
 * kernel walks every descriptor of every process of conntab's PID
 * namespace and streams out the socket ones, which the /proc walk would
 * read one readlink() at a time. Loaded through a light skeleton: no
 * libbpf at run time. Needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN),
 * kernel BTF and Linux 5.17 or later; every failure is a -errno that
 * tells the caller to walk /proc instead.
 */
struct ct_owners_bpf;

/*
 * Load the program and attach it as an iterator. Returns 0, or -errno
 * with *stage naming the step that failed (static text: "not built in",
 * "kernel BTF", "load", "attach"). Free with owners_bpf_close().
 */
int		 owners_bpf_open(struct ct_owners_bpf **out, const char **stage);
/* Release; NULL-safe. */
void		 owners_bpf_close(struct ct_owners_bpf *b);
/*
 * One walk: link the owners of socks' records into out, as proc_scan()
 * does (lowest pid first, then fd). The stream is checked as untrusted
 * input: a short or torn stream, a record of unknown kind or size gives
 * -EBADMSG; a failed read() its -errno; *stage names the step ("iterator",
 * "read", "records"). On failure every record's owners is 0 and out is
 * empty. out is freed with owners_free().
 */
int		 owners_bpf_scan(struct ct_owners_bpf *b, struct ct_socklist *socks,
		    struct ct_owners *out, const char **stage);

/*
 * The walk of owners_bpf_scan() without a snapshot: every socket
 * descriptor into seen, each process's name into names. Same errors; on
 * failure seen and names are as they were.
 */
int		 owners_bpf_collect(struct ct_owners_bpf *b,
		    struct ct_owners_seen *seen, struct ct_owners *names,
		    const char **stage);

/* ---- the record reader: pure, for tests and the fuzzer ------------------ */

/* One socket descriptor, as a stream told it. */
struct ct_bpf_owner {
	uint32_t	 pid;
	int32_t		 fd;
	uint64_t	 ino;
	uint32_t	 task;		/* 1, 2, ...: which process record */
	const char	*comm;		/* that process's name, NUL-terminated */
};

typedef void	(*ct_bpf_owner_cb)(void *arg, const struct ct_bpf_owner *o);

/* The reader's state between pieces of a stream; zero it, set cb and arg. */
struct ct_bpf_reader {
	ct_bpf_owner_cb	 cb;		/* called once per descriptor record */
	void		*arg;
	uint32_t	 task;		/* process records so far */
	uint32_t	 pid;		/* the current one's */
	char		 comm[16];	/* and its name, always NUL-terminated */
	uint32_t	 nfd;		/* descriptor records so far */
	bool		 ended;		/* the end record came */
};

/*
 * Read the whole records at the start of buf[0 .. len) (a record may be
 * cut by the end of a read: *used says how far the whole ones went; the
 * rest comes again with the next bytes). Returns 0, or -EBADMSG for a
 * record of unknown kind or size, a descriptor before any process, a
 * pid of 0, a negative descriptor, an inode of 0, anything after the end
 * record, or an end record whose count is wrong.
 */
int		 owners_bpf_parse(struct ct_bpf_reader *r, const void *buf,
		    size_t len, size_t *used);
/*
 * The stream is over with left bytes unread: 0 if it was whole (the end
 * record came, nothing after it), else -EBADMSG (a short read: no end
 * record; a torn record: left > 0).
 */
int		 owners_bpf_parse_end(const struct ct_bpf_reader *r, size_t left);

#endif /* CT_OWNERS_BPF_H */
