/* JSON: one array of objects keyed by field name; numbers as numbers. */
#include "out.h"

#include <string.h>

#include "fields.h"
#include "group.h"
#include "opts.h"
#include "owners.h"
#include "snap.h"
#include "sock.h"
#include "util.h"
#include "view.h"

static void
put_json_str(FILE *fp, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	putc_unlocked('"', fp);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			putc_unlocked('\\', fp);
			putc_unlocked((char)ch, fp);
		} else if (ch < 0x20 || ch == 0x7f) {
			fprintf(fp, "\\u00%c%c", hex[ch >> 4], hex[ch & 0xf]);
		} else {
			putc_unlocked((char)ch, fp);
		}
	}
	putc_unlocked('"', fp);
}

/* "owners": [{"pid": N, "comm": "...", "fd": N}, ...] */
static void
put_owners(FILE *fp, const struct ct_view *v, const struct ct_sock *s)
{
	const struct ct_owner *o;

	putc_unlocked('[', fp);
	for (o = view_owner(v, s); o != NULL; o = owners_get(v->owners, o->next)) {
		const char *name = owners_comm(v->owners, o);
		char comm[CT_ESCAPE_MAX(CT_COMM_SIZE)];
		size_t n = util_escape(name, strnlen(name, CT_COMM_SIZE), comm,
		    sizeof(comm));

		if (o != view_owner(v, s))
			putc_unlocked(',', fp);
		fprintf(fp, "{\"pid\":%u,\"comm\":", o->pid);
		put_json_str(fp, comm, n);
		fprintf(fp, ",\"fd\":%d}", o->fd);
	}
	putc_unlocked(']', fp);
}

/*
 * An address with a prefix (-g raddr/24), whose text is "10.1.2.0/24":
 * the key keeps the field's name, "raddr":"10.1.2.0", and the length
 * goes in a key of its own, "raddr_prefixlen":24 (as ip -j has
 * "prefixlen"), clamped as the table's text is. JSON null for both when
 * the socket has no such address.
 */
static void
json_network(FILE *fp, const char *name, const char *cell, size_t len,
    bool is_null)
{
	const char *slash = is_null ? NULL : memrchr(cell, '/', len);
	size_t alen = slash != NULL ? (size_t)(slash - cell) : len;

	if (slash == NULL) {
		fprintf(fp, "null,\"%s_prefixlen\":null", name);
		return;
	}
	put_json_str(fp, cell, alen);
	fprintf(fp, ",\"%s_prefixlen\":", name);
	fwrite(slash + 1, 1, len - alen - 1, fp);
}

/* The keys of SPEC §6 when -o did not choose them. */
static void
json_default_keys(const struct ct_opts *o, struct ct_cols *k)
{
	static const enum ct_field_id base[] = { CT_F_PROTO, CT_F_FAMILY,
	    CT_F_STATE, CT_F_LADDR, CT_F_LPORT, CT_F_RADDR, CT_F_RPORT,
	    CT_F_RECVQ, CT_F_SENDQ, CT_F_UID, CT_F_INODE, CT_F_V6ONLY };
	static const enum ct_field_id owners[] = { CT_F_PID, CT_F_COMM,
	    CT_F_OWNERS };
	static const enum ct_field_id info[] = { CT_F_RTT, CT_F_RTTVAR,
	    CT_F_CWND, CT_F_RETRANS, CT_F_BYTES_SENT, CT_F_BYTES_RECV };
	size_t i;

	k->n = 0;
#define ADD(fid) do { k->v[k->n].id = (fid); k->v[k->n++].prefix = -1; } while (0)
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		ADD(base[i]);
	if (o->extended)
		ADD(CT_F_USER);
	if (!o->no_procs)
		for (i = 0; i < sizeof(owners) / sizeof(owners[0]); i++)
			ADD(owners[i]);
	if (o->info)
		for (i = 0; i < sizeof(info) / sizeof(info[0]); i++)
			ADD(info[i]);
	/* --all-netns: where each socket lives, and whose it is */
	if (o->all_netns) {
		ADD(CT_F_NETNS);
		ADD(CT_F_NETNS_INO);
		if (!o->no_procs) {
			ADD(CT_F_CONTAINER);
			ADD(CT_F_POD);
			ADD(CT_F_UNIT);
		}
	}
	if (o->memory)		/* -m: the socket memory figures, as in ss */
		for (i = CT_F_RMEM_ALLOC; i <= CT_F_DROPS; i++)
			ADD((enum ct_field_id)i);
#undef ADD
}

void
out_json_keys(const struct ct_opts *o, struct ct_cols *k)
{
	if (o->cols_given)
		*k = o->cols;
	else
		json_default_keys(o, k);
}

void
out_json_members(FILE *fp, const struct ct_snap *snap, const struct ct_group *g,
    const struct ct_cols *k, struct ct_fmt_memo *memo)
{
	const struct ct_view view = snap_view(snap);
	char cell[CT_CELL_MAX];
	size_t j, len;

	for (j = 0; j < k->n; j++) {
		const struct ct_field *f = fields_get(k->v[j].id);
		bool is_null = false;

		if (j > 0)
			putc_unlocked(',', fp);
		putc_unlocked('"', fp);
		fputs(f->name, fp);
		fputs("\":", fp);
		if (k->v[j].id == CT_F_OWNERS) {
			put_owners(fp, &view, g->first);
			continue;
		}
		len = f->fmt(&view, g, k->v[j].prefix, cell, &is_null,
		    memo != NULL ? &memo[j] : NULL);
		if (k->v[j].prefix >= 0) {
			json_network(fp, f->name, cell, len, is_null);
			continue;
		}
		if (is_null)
			fputs("null", fp);
		else if (f->flags & CT_FF_NUM)
			fwrite(cell, 1, len, fp);
		else
			put_json_str(fp, cell, len);
	}
}

int
out_json_write(FILE *fp, const struct ct_snap *snap, const struct ct_table *t,
    const struct ct_opts *o)
{
	struct ct_fmt_memo memo[CT_COLS_MAX];
	struct ct_group one;
	struct ct_cols defaults;
	const struct ct_cols *k = &o->cols;
	size_t i;

	if (!o->cols_given && !t->grouped) {
		json_default_keys(o, &defaults);
		k = &defaults;
	}
	memset(memo, 0, sizeof(memo));
	putc_unlocked('[', fp);
	for (i = 0; i < t->nrows; i++) {
		fputs(i == 0 ? "\n{" : ",\n{", fp);
		out_json_members(fp, snap, group_table_row(snap, t, i, &one), k,
		    memo);
		putc_unlocked('}', fp);
	}
	fputs(t->nrows > 0 ? "\n]\n" : "]\n", fp);
	return 0;
}
