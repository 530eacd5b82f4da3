/*
 * Cgroup paths to labels: container, pod, unit (see cgroup.h for the
 * shapes). One pass over the path's components, each tested against the
 * runtimes' patterns; nothing is copied before it has matched whole, and
 * every copy is cut to its field.
 */
#include "cgroup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* One component of a path: not NUL-terminated. */
struct comp {
	const char	*s;
	size_t		 n;
};

static bool
comp_is(const struct comp *c, const char *word)
{
	size_t n = strlen(word);

	return c->n == n && memcmp(c->s, word, n) == 0;
}

static bool
comp_starts(const struct comp *c, const char *prefix)
{
	size_t n = strlen(prefix);

	return c->n >= n && memcmp(c->s, prefix, n) == 0;
}

static bool
comp_ends(const struct comp *c, const char *suffix)
{
	size_t n = strlen(suffix);

	return c->n >= n && memcmp(c->s + c->n - n, suffix, n) == 0;
}

/* Does c contain word anywhere? */
static bool
comp_has(const struct comp *c, const char *word)
{
	size_t n = strlen(word), i;

	for (i = 0; i + n <= c->n; i++)
		if (memcmp(c->s + i, word, n) == 0)
			return true;
	return false;
}

static bool
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A container ID as the runtimes write it: 64 lowercase hex digits. */
#define ID_LEN	64

static bool
is_id(const char *s, size_t n)
{
	return n == ID_LEN && is_hex(s, n);
}

/* "RUNTIME:" and the first 12 digits of the ID at id. */
static void
set_container_id(struct ct_label *out, const char *runtime, const char *id)
{
	snprintf(out->container, sizeof(out->container), "%s:%.12s", runtime, id);
}

/* "RUNTIME:NAME", the name cut to fit; false for an empty name. */
static bool
set_container_name(struct ct_label *out, const char *runtime, const char *name,
    size_t n)
{
	size_t k = strlen(runtime), i;

	if (n == 0)
		return false;
	snprintf(out->container, sizeof(out->container), "%s:", runtime);
	for (i = 0; i < n && k + 1 + i + 1 < sizeof(out->container); i++)
		out->container[k + 1 + i] = name[i] != '\0' ? name[i] : '?';
	out->container[k + 1 + i] = '\0';
	return true;
}

/*
 * PREFIX<ID> or PREFIX<ID>.scope: the ID's first byte, or NULL. The
 * ID must be all of what lies between, so "crio-conmon-<ID>.scope"
 * does not pass for "crio-".
 */
static const char *
match_scope_id(const struct comp *c, const char *prefix)
{
	size_t p = strlen(prefix), n;

	if (!comp_starts(c, prefix))
		return NULL;
	n = c->n - p;
	if (comp_ends(c, ".scope"))
		n -= strlen(".scope");
	return is_id(c->s + p, n) ? c->s + p : NULL;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * systemd's unit-name escapes undone ("\x2d" is a '-' in a name, whose
 * plain '-' means '/'), into buf (size bytes, NUL-terminated). A NUL
 * that an escape spells becomes '?'. Returns the length.
 */
static size_t
unescape(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 1 < size; i++) {
		int hi, lo;

		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    (hi = hexval(s[i + 2])) >= 0 && (lo = hexval(s[i + 3])) >= 0) {
			char ch = (char)(hi << 4 | lo);

			buf[k++] = ch != '\0' ? ch : '?';
			i += 3;
			continue;
		}
		buf[k++] = s[i];
	}
	buf[k] = '\0';
	return k;
}

/* Does c name a container? Then out->container is set (true). */
static bool
match_container(const struct comp *c, const struct comp *prev, bool in_pod,
    struct ct_label *out)
{
	static const struct {
		const char	*prefix;
		const char	*runtime;
	} scopes[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "nerdctl-", "containerd" },
		{ "crio-", "crio" },
		{ "libpod-", "podman" },
	};
	char name[CT_LABEL_CONTAINER];
	const char *id;
	size_t i, n;

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if ((id = match_scope_id(c, scopes[i].prefix)) != NULL) {
			set_container_id(out, scopes[i].runtime, id);
			return true;
		}
	if (is_id(c->s, c->n)) {
		/* cgroupfs drivers: /docker/ID, and /kubepods/.../pod<UID>/ID */
		if (prev != NULL && comp_is(prev, "docker")) {
			set_container_id(out, "docker", c->s);
			return true;
		}
		if (in_pod) {
			set_container_id(out, "containerd", c->s);
			return true;
		}
		return false;
	}
	if (comp_starts(c, "lxc.payload."))
		return set_container_name(out, "lxc", c->s + strlen("lxc.payload."),
		    c->n - strlen("lxc.payload."));
	if (prev != NULL && comp_is(prev, "lxc") && !comp_starts(c, "lxc.") &&
	    !comp_ends(c, ".scope") && !comp_ends(c, ".slice"))
		return set_container_name(out, "lxc", c->s, c->n);
	if (comp_starts(c, "machine-") && comp_ends(c, ".scope") &&
	    c->n > strlen("machine-") + strlen(".scope")) {
		n = unescape(c->s + strlen("machine-"),
		    c->n - strlen("machine-") - strlen(".scope"), name,
		    sizeof(name));
		if (strncmp(name, "qemu-", 5) == 0)
			return false;		/* libvirt's virtual machine */
		return set_container_name(out, "nspawn", name, n);
	}
	return false;
}

/*
 * A pod UID as the kubelet writes it in a cgroup name: a UUID, '-' or
 * '_' between its groups (the systemd driver turns '-' into '_'), or 32
 * hex digits (a static pod's hash). Written out with '-' into out.
 */
static bool
pod_uid(const char *s, size_t n, char out[CT_LABEL_POD])
{
	static const size_t dash[] = { 8, 13, 18, 23 };
	char uid[CT_LABEL_POD];
	size_t i, j;

	if (n == 32 && is_hex(s, n)) {
		memcpy(out, s, n);
		out[n] = '\0';
		return true;
	}
	if (n != 36)
		return false;
	/* written aside: a near miss leaves the pod found before alone */
	for (i = 0, j = 0; i < n; i++) {
		if (j < 4 && i == dash[j]) {
			if (s[i] != '-' && s[i] != '_')
				return false;
			uid[i] = '-';
			j++;
			continue;
		}
		if (!is_hex(s + i, 1))
			return false;
		uid[i] = s[i];
	}
	uid[n] = '\0';
	memcpy(out, uid, n + 1);
	return true;
}

/* Does c name a pod? Then out->pod is set (true). */
static bool
match_pod(const struct comp *c, bool in_kubepods, struct ct_label *out)
{
	size_t i, n;

	/* systemd driver: kubepods-besteffort-pod<uid>.slice, kubepods-pod<uid>.slice */
	if (comp_ends(c, ".slice") && comp_has(c, "kubepods")) {
		n = c->n - strlen(".slice");
		for (i = n; i >= 4; i--)
			if (memcmp(c->s + i - 4, "-pod", 4) == 0)
				return pod_uid(c->s + i, n - i, out->pod);
		return false;
	}
	/* cgroupfs driver: /kubepods[/<qos>]/pod<uid> */
	if (in_kubepods && comp_starts(c, "pod"))
		return pod_uid(c->s + 3, c->n - 3, out->pod);
	return false;
}

/* A unit that can hold processes: systemd's characters and suffix. */
static bool
is_unit(const struct comp *c)
{
	static const char *const suffixes[] = { ".service", ".scope",
	    ".socket", ".mount", ".swap" };
	size_t i;
	bool suffix = false;

	if (c->n >= CT_LABEL_UNIT)
		return false;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (comp_ends(c, suffixes[i]) && c->n > strlen(suffixes[i]))
			suffix = true;
	if (!suffix)
		return false;
	for (i = 0; i < c->n; i++) {
		char ch = c->s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == ':' || ch == '_' ||
		    ch == '.' || ch == '-' || ch == '@' || ch == '\\'))
			return false;
	}
	return true;
}

int
cgroup_parse_path(const char *path, size_t len, struct ct_label *out)
{
	struct comp c, prev = { NULL, 0 };
	bool have_prev = false, in_kubepods = false, in_pod = false;
	size_t i = 0, j;

	memset(out, 0, sizeof(*out));
	if (len == 0 || path[0] != '/')
		return -EINVAL;
	while (i < len) {
		while (i < len && path[i] == '/')
			i++;
		for (j = i; j < len && path[j] != '/'; j++)
			;
		c.s = path + i;
		c.n = j - i;
		i = j;
		if (c.n == 0 || comp_is(&c, ".") || comp_is(&c, ".."))
			continue;
		if (match_container(&c, have_prev ? &prev : NULL, in_pod, out)) {
			/* the rightmost wins: what it names is inside */
		} else if (match_pod(&c, in_kubepods, out)) {
			in_pod = true;
		} else if (out->unit[0] == '\0' && is_unit(&c)) {
			memcpy(out->unit, c.s, c.n);
			out->unit[c.n] = '\0';
		}
		if (comp_starts(&c, "kubepods"))
			in_kubepods = true;
		prev = c;
		have_prev = true;
	}
	if (out->container[0] != '\0')
		out->unit[0] = '\0';	/* a unit is the answer outside containers */
	return 0;
}

static bool
label_empty(const struct ct_label *l)
{
	return l->container[0] == '\0' && l->pod[0] == '\0' && l->unit[0] == '\0';
}

/* One line "ID:CONTROLLERS:PATH" of /proc/PID/cgroup, split. */
struct cg_line {
	const char	*id, *ctl, *path;
	size_t		 idlen, ctllen, pathlen;
};

static bool
cg_line_split(const char *s, size_t n, struct cg_line *l)
{
	const char *a = memchr(s, ':', n), *b;

	if (a == NULL || (b = memchr(a + 1, ':', n - (size_t)(a + 1 - s))) == NULL)
		return false;
	l->id = s;
	l->idlen = (size_t)(a - s);
	l->ctl = a + 1;
	l->ctllen = (size_t)(b - a - 1);
	l->path = b + 1;
	l->pathlen = n - (size_t)(b + 1 - s);
	return true;
}

/* Fill the empty parts of out from the label of one line's path. */
static void
cg_fill(struct ct_label *out, const struct cg_line *l)
{
	struct ct_label one;

	if (cgroup_parse_path(l->path, l->pathlen, &one) != 0)
		return;
	if (out->container[0] == '\0')
		memcpy(out->container, one.container, sizeof(one.container));
	if (out->pod[0] == '\0')
		memcpy(out->pod, one.pod, sizeof(one.pod));
	if (out->unit[0] == '\0')
		memcpy(out->unit, one.unit, sizeof(one.unit));
}

int
cgroup_parse_file(const char *text, size_t len, struct ct_label *out)
{
	struct cg_line l;
	size_t i, j;
	int pass;

	memset(out, 0, sizeof(*out));
	/* the cgroup v2 line: "0::PATH", the whole answer when it has one */
	for (i = 0; i < len; i = j + 1) {
		const char *nl = memchr(text + i, '\n', len - i);

		j = nl != NULL ? (size_t)(nl - text) : len;
		if (cg_line_split(text + i, j - i, &l) && l.idlen == 1 &&
		    l.id[0] == '0' && l.ctllen == 0) {
			cgroup_parse_path(l.path, l.pathlen, out);
			if (!label_empty(out))
				return 0;
		}
	}
	/* v2 says nothing: the v1 hierarchies, systemd's first */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < len; i = j + 1) {
			const char *nl = memchr(text + i, '\n', len - i);
			bool systemd;

			j = nl != NULL ? (size_t)(nl - text) : len;
			if (!cg_line_split(text + i, j - i, &l) || l.ctllen == 0)
				continue;
			systemd = l.ctllen == strlen("name=systemd") &&
			    memcmp(l.ctl, "name=systemd", l.ctllen) == 0;
			if (systemd == (pass == 0))
				cg_fill(out, &l);
		}
	}
	if (out->container[0] != '\0')
		out->unit[0] = '\0';
	return label_empty(out) ? -ENOENT : 0;
}
