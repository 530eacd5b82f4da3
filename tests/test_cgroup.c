/*
 * The cgroup path parser, table by table: the shapes container runtimes,
 * the kubelet's two drivers and systemd really write, nested ones, a
 * cgroup namespace's "/.." view, hybrid v1 files, and hostile text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "label.h"

#define ID	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2	"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define NODE	"aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999"
#define UID	"a1b2c3d4-e5f6-4789-abcd-ef0123456789"
#define UID_	"a1b2c3d4_e5f6_4789_abcd_ef0123456789"
#define HASH	"0123456789abcdef0123456789abcdef"

struct cg_case {
	const char	*path;
	const char	*container, *pod, *unit;	/* "" for none */
};

static const struct cg_case cases[] = {
	/* Docker, both drivers, and Docker in Docker */
	{ "/system.slice/docker-" ID ".scope", "docker:0123456789ab", "", "" },
	{ "/docker/" ID, "docker:0123456789ab", "", "" },
	{ "/docker/" ID "/docker/" ID2, "docker:fedcba987654", "", "" },
	{ "/system.slice/docker-" ID ".scope/init.scope", "docker:0123456789ab", "", "" },
	{ "/cttest123/system.slice/docker-" ID ".scope", "docker:0123456789ab", "", "" },
	/* the kubelet's systemd driver, every QoS class */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/cri-containerd-" ID ".scope", "containerd:0123456789ab", UID, "" },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	  ".slice/crio-" ID ".scope", "crio:0123456789ab", UID, "" },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	  "containerd:0123456789ab", UID, "" },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" HASH
	  ".slice/cri-containerd-" ID ".scope", "containerd:0123456789ab", HASH, "" },
	/* ... and the cgroupfs driver */
	{ "/kubepods/burstable/pod" UID "/" ID, "containerd:0123456789ab", UID, "" },
	{ "/kubepods/besteffort/pod" UID "/crio-" ID, "crio:0123456789ab", UID, "" },
	{ "/kubepods/pod" UID "/" ID, "containerd:0123456789ab", UID, "" },
	{ "/kubepods/burstable/pod" UID, "", UID, "" },
	/* CRI-O's conmon is no container; its payload's "container" leaf is */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/crio-conmon-" ID ".scope", "", UID, "crio-conmon-" ID ".scope" },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/crio-" ID ".scope/container", "crio:0123456789ab", UID, "" },
	/* Kubernetes in Docker (KinD): pods inside a node container */
	{ "/system.slice/docker-" NODE ".scope/kubelet.slice/kubelet-kubepods.slice/"
	  "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" UID_
	  ".slice/cri-containerd-" ID ".scope", "containerd:0123456789ab", UID, "" },
	{ "/docker/" NODE "/kubelet/kubepods/burstable/pod" UID "/" ID,
	  "containerd:0123456789ab", UID, "" },
	{ "/system.slice/docker-" NODE ".scope/system.slice/containerd.service",
	  "docker:aaaabbbbcccc", "", "" },
	/* Podman: rootful, its container leaf, conmon, rootless, pods, cgroupfs */
	{ "/machine.slice/libpod-" ID ".scope", "podman:0123456789ab", "", "" },
	{ "/machine.slice/libpod-" ID ".scope/container", "podman:0123456789ab", "", "" },
	{ "/machine.slice/libpod-conmon-" ID ".scope", "", "",
	  "libpod-conmon-" ID ".scope" },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID
	  ".scope", "podman:0123456789ab", "", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID
	  ".scope/container", "podman:0123456789ab", "", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/podman-4242.scope",
	  "", "", "user@1000.service" },
	{ "/machine.slice/machine-libpod_pod_" ID2 ".slice/libpod-" ID ".scope",
	  "podman:0123456789ab", "", "" },
	{ "/libpod_parent/libpod-" ID, "podman:0123456789ab", "", "" },
	/* containerd without Kubernetes (nerdctl) */
	{ "/system.slice/nerdctl-" ID ".scope", "containerd:0123456789ab", "", "" },
	/* LXC and LXD: payload, monitor, the old layout, nested */
	{ "/lxc.payload.web1", "lxc:web1", "", "" },
	{ "/lxc.payload.web1/system.slice/nginx.service", "lxc:web1", "", "" },
	{ "/lxc.monitor.web1", "", "", "" },
	{ "/lxc/web1", "lxc:web1", "", "" },
	{ "/lxc/web1/init.scope", "lxc:web1", "", "" },
	{ "/lxc.payload.outer/lxc.payload.inner", "lxc:inner", "", "" },
	/* systemd-nspawn machines, escapes undone; a libvirt VM is none */
	{ "/machine.slice/machine-my\\x2dbox.scope", "nspawn:my-box", "", "" },
	{ "/machine.slice/machine-foo.scope/payload/system.slice/sshd.service",
	  "nspawn:foo", "", "" },
	{ "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope", "", "",
	  "machine-qemu\\x2d1\\x2dvm1.scope" },
	/* systemd units outside containers */
	{ "/system.slice/nginx.service", "", "", "nginx.service" },
	{ "/user.slice/user-1000.slice/session-3.scope", "", "", "session-3.scope" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service",
	  "", "", "user@1000.service" },
	{ "/user.slice/user-1000.slice/user@1000.service/init.scope", "", "",
	  "user@1000.service" },
	{ "/init.scope", "", "", "init.scope" },
	{ "/system.slice/nginx.service/worker", "", "", "nginx.service" },
	{ "//system.slice///nginx.service", "", "", "nginx.service" },
	{ "/system.slice/systemd-journald.socket", "", "", "systemd-journald.socket" },
	{ "/", "", "", "" },
	{ "/system.slice", "", "", "" },
	/* .mount units are units, never containers, even with an ID in them */
	{ "/system.slice/var-lib-docker-containers-" ID "-mounts-shm.mount", "", "",
	  "var-lib-docker-containers-" ID "-mounts-shm.mount" },
	{ "/system.slice/docker-" ID ".mount", "", "", "docker-" ID ".mount" },
	/* a cgroup namespace's view: "/.." up to where its root lies */
	{ "/../../../system.slice/docker-" ID ".scope", "docker:0123456789ab", "", "" },
	{ "/../kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	  "containerd:0123456789ab", UID, "" },
	{ "/./system.slice/./nginx.service", "", "", "nginx.service" },
	/* near misses: not an ID, not a pod UID, not a unit */
	{ "/system.slice/docker-compose.service", "", "", "docker-compose.service" },
	{ "/system.slice/docker-0123456789ab.scope", "", "", "docker-0123456789ab.scope" },
	{ "/system.slice/docker-" ID "0.scope", "", "", "docker-" ID "0.scope" },
	{ "/docker/" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	  "", "", "" },
	{ "/kubepods/burstable/podnot-a-uid/" ID, "", "", "" },
	{ "/kubepods/burstable/pod" UID_ "/" ID, "containerd:0123456789ab", UID, "" },
	{ "/notkube/pod" UID "/" ID, "", "", "" },
	/* a near miss after a pod leaves that pod alone (found by fuzzing) */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	  "a1b2c3d4_e5f6_4789_abCd_ef0123456789.slice/cri-containerd-" ID ".scope",
	  "containerd:0123456789ab", "", "" },
	{ "/kubepods/pod" UID "/pod" "a1b2c3d4-e5f6-4789-abcd-ef012345678X",
	  "", UID, "" },
	{ "/kubepods.slice/kubepods-burstable-pod" "a1b2c3d4-e5f6-4789-abcd-ef012345678"
	  ".slice", "", "", "" },
	{ "/system.slice/foo bar.service", "", "", "" },
	{ "/system.slice/.service", "", "", "" },
	{ "/process_api/90ff065971488947d55ca964b1a9182e", "", "", "" },
	{ "/lxc.payload.", "", "", "" },
	{ "/machine.slice/machine-.scope", "", "", "machine-.scope" },
};

static void
test_cgroup_shapes(void **state)
{
	struct ct_label l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cg_case *c = &cases[i];

		if (cgroup_parse_path(c->path, strlen(c->path), &l) != 0)
			fail_msg("case %zu: %s: not parsed", i, c->path);
		if (strcmp(l.container, c->container) != 0 ||
		    strcmp(l.pod, c->pod) != 0 || strcmp(l.unit, c->unit) != 0)
			fail_msg("case %zu: %s\n got  [%s] [%s] [%s]\n want [%s] [%s] [%s]",
			    i, c->path, l.container, l.pod, l.unit, c->container,
			    c->pod, c->unit);
	}
}

static void
test_cgroup_not_a_path(void **state)
{
	struct ct_label l;

	(void)state;
	memset(&l, 'x', sizeof(l));
	assert_int_equal(cgroup_parse_path("", 0, &l), -EINVAL);
	assert_string_equal(l.container, "");
	assert_int_equal(cgroup_parse_path("system.slice/nginx.service", 26, &l),
	    -EINVAL);
	assert_string_equal(l.unit, "");
	/* the length, not a NUL, ends the path */
	assert_int_equal(cgroup_parse_path("/system.slice/nginx.serviceXYZ", 27,
	    &l), 0);
	assert_string_equal(l.unit, "nginx.service");
}

/* Hostile names: cut to their field, a NUL spelled '?', nothing overrun. */
static void
test_cgroup_hostile(void **state)
{
	static const char nul[] = "/lxc.payload.a\0b";
	struct ct_label l;
	char *path;
	size_t i, n = 70000;

	(void)state;
	path = malloc(n + 32);
	assert_non_null(path);
	memcpy(path, "/lxc.payload.", 13);
	for (i = 13; i < n; i++)
		path[i] = 'n';
	assert_int_equal(cgroup_parse_path(path, n, &l), 0);
	assert_int_equal(strlen(l.container), CT_LABEL_CONTAINER - 1);
	assert_memory_equal(l.container, "lxc:nnnn", 8);
	/* a unit name longer than its field is no unit */
	memcpy(path, "/system.slice/", 14);
	for (i = 14; i < 14 + 200; i++)
		path[i] = 'u';
	memcpy(path + i, ".service", 8);
	assert_int_equal(cgroup_parse_path(path, i + 8, &l), 0);
	assert_string_equal(l.unit, "");
	/* a component of slashes only, thousands deep */
	for (i = 0; i < n; i++)
		path[i] = '/';
	assert_int_equal(cgroup_parse_path(path, n, &l), 0);
	assert_string_equal(l.container, "");
	free(path);
	assert_int_equal(cgroup_parse_path(nul, sizeof(nul) - 1, &l), 0);
	assert_string_equal(l.container, "lxc:a?b");
	/* control bytes stay raw here: every printer escapes them */
	assert_int_equal(cgroup_parse_path("/lxc/\x1b[31mred", 13, &l), 0);
	assert_string_equal(l.container, "lxc:\x1b[31mred");
	/* an escape that spells NUL */
	assert_int_equal(cgroup_parse_path("/machine.slice/machine-a\\x00b.scope",
	    35, &l), 0);
	assert_string_equal(l.container, "nspawn:a?b");
}

struct file_case {
	const char	*text;
	int		 rc;
	const char	*container, *pod, *unit;
};

static const struct file_case files[] = {
	/* cgroup v2 alone */
	{ "0::/system.slice/nginx.service\n", 0, "", "", "nginx.service" },
	{ "0::/system.slice/docker-" ID ".scope", 0, "docker:0123456789ab", "", "" },
	/* hybrid: v2 says nothing ("/"), the v1 hierarchies do */
	{ "12:memory:/docker/" ID "\n11:cpu:/docker/" ID "\n"
	  "1:name=systemd:/system.slice/docker-" ID ".scope\n0::/\n", 0,
	  "docker:0123456789ab", "", "" },
	{ "9:name=systemd:/\n4:memory:/process_api/90ff065971488947d55ca964b1a9182e\n"
	  "0::/\n", -ENOENT, "", "", "" },
	/* v2 with something to say wins over v1 */
	{ "4:memory:/docker/" ID2 "\n0::/system.slice/docker-" ID ".scope\n", 0,
	  "docker:0123456789ab", "", "" },
	/* v1 only (a kernel before cgroup v2), systemd's hierarchy first */
	{ "4:cpu:/system.slice/a.service\n1:name=systemd:/system.slice/b.service\n",
	  0, "", "", "b.service" },
	{ "4:cpu,cpuacct:/kubepods/besteffort/pod" UID "/" ID "\n"
	  "1:name=systemd:/kubepods/besteffort/pod" UID "/" ID "\n", 0,
	  "containerd:0123456789ab", UID, "" },
	/* each part from the first hierarchy that has it */
	{ "5:pids:/system.slice/sshd.service\n3:memory:/docker/" ID "\n0::/\n", 0,
	  "docker:0123456789ab", "", "" },
	/* a path may hold colons: it is what follows the second one */
	{ "0::/a:b/docker-" ID ".scope\n", 0, "docker:0123456789ab", "", "" },
	/* junk */
	{ "", -ENOENT, "", "", "" },
	{ "garbage\n::\n0::\n0:x\n\n", -ENOENT, "", "", "" },
	{ "0::relative/nginx.service\n", -ENOENT, "", "", "" },
	{ "1:name=systemd", -ENOENT, "", "", "" },
};

static void
test_cgroup_files(void **state)
{
	struct ct_label l;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct file_case *c = &files[i];

		rc = cgroup_parse_file(c->text, strlen(c->text), &l);
		if (rc != c->rc || strcmp(l.container, c->container) != 0 ||
		    strcmp(l.pod, c->pod) != 0 || strcmp(l.unit, c->unit) != 0)
			fail_msg("file %zu: rc %d [%s] [%s] [%s], want %d [%s] [%s] [%s]",
			    i, rc, l.container, l.pod, l.unit, c->rc, c->container,
			    c->pod, c->unit);
	}
}

/* The label table: one copy of each label, each process's by pid. */
static void
test_labels_table(void **state)
{
	struct ct_labels t, c;
	struct ct_label a, b;
	uint32_t ia, ib;

	(void)state;
	labels_init(&t);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	assert_int_equal(labels_intern(&t, &a), 0);	/* empty: index 0 */
	strcpy(a.container, "docker:0123456789ab");
	strcpy(b.unit, "nginx.service");
	ia = labels_intern(&t, &a);
	ib = labels_intern(&t, &b);
	assert_int_not_equal(ia, 0);
	assert_int_not_equal(ia, ib);
	assert_int_equal(labels_intern(&t, &a), ia);
	/* pids out of order, one replaced */
	labels_add_pid(&t, 300, ia);
	labels_add_pid(&t, 100, ib);
	labels_add_pid(&t, 200, ia);
	labels_add_pid(&t, 100, ia);
	assert_int_equal(t.npids, 3);
	assert_int_equal(t.pids[0].pid, 100);
	assert_int_equal(t.pids[2].pid, 300);
	assert_int_equal(labels_of_pid(&t, 100), ia);
	assert_int_equal(labels_of_pid(&t, 150), 0);
	assert_true(labels_has_pid(&t, 200));
	assert_false(labels_has_pid(&t, 201));
	assert_string_equal(labels_part(labels_get(&t, ia), CT_LP_CONTAINER),
	    "docker:0123456789ab");
	assert_string_equal(labels_part(labels_get(&t, 9999), CT_LP_UNIT), "");
	assert_string_equal(labels_part(labels_get(NULL, 1), CT_LP_POD), "");
	/* a copy of one process's label into another table */
	labels_init(&c);
	labels_copy_pid(&c, &t, 300);
	labels_copy_pid(&c, &t, 999);		/* not there: nothing */
	assert_int_equal(c.npids, 1);
	assert_string_equal(labels_get(&c, labels_of_pid(&c, 300))->container,
	    "docker:0123456789ab");
	labels_free(&c);
	labels_copy(&c, &t);
	assert_int_equal(c.npids, 3);
	assert_int_equal(labels_of_pid(&c, 200), ia);
	labels_free(&c);
	labels_free(&t);
	labels_free(&t);			/* twice: harmless */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_shapes),
		cmocka_unit_test(test_cgroup_not_a_path),
		cmocka_unit_test(test_cgroup_hostile),
		cmocka_unit_test(test_cgroup_files),
		cmocka_unit_test(test_labels_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
