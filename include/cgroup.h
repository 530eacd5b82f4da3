#ifndef CT_CGROUP_H
#define CT_CGROUP_H

#include <stddef.h>

#include "label.h"

/*
 * A process's cgroup path read as the container runtimes and systemd
 * write them: which container (RUNTIME:ID12), which Kubernetes pod (its
 * UID), which systemd unit. Pure: the collector reads /proc/PID/cgroup
 * (proclabel.h) and hands the text here. Everything is untrusted: a
 * process can make cgroup directories of any name where it may write.
 *
 * Containers, the rightmost match winning (a container inside another):
 *   docker-ID.scope, /docker/ID                 docker:ID12
 *   cri-containerd-ID.scope, nerdctl-ID.scope,
 *   a bare ID beneath a cgroupfs pod            containerd:ID12
 *   crio-ID.scope, crio-ID                      crio:ID12
 *   libpod-ID.scope, libpod-ID                  podman:ID12
 *   lxc.payload.NAME, /lxc/NAME                 lxc:NAME
 *   machine-NAME.scope (\xNN undone)            nspawn:NAME
 * ID is 64 lowercase hex digits. crio-conmon-, libpod-conmon-,
 * lxc.monitor and *.mount are not containers, nor machine-qemu-* (a VM).
 * Pods: *kubepods*-pod<UID>.slice (systemd driver, '_' for '-') and
 * pod<UID> beneath kubepods (cgroupfs driver), any QoS class; UID is a
 * UUID or 32 hex digits (a static pod's). The unit is the first component
 * named like a unit that holds processes (.service, .scope, .socket,
 * .mount, .swap), and only outside containers. "." and ".." components
 * (a cgroup namespace's view) are skipped.
 */

/*
 * The label of one cgroup path of len bytes (not NUL-terminated). Returns
 * 0, or -EINVAL for text that is no absolute path (out is empty then).
 */
int		 cgroup_parse_path(const char *path, size_t len,
		    struct ct_label *out);
/*
 * The label from the text of /proc/PID/cgroup: the cgroup v2 line
 * ("0::PATH"), or, where it says nothing, the v1 hierarchies (name=systemd
 * first), each part from the first that has it. Returns 0, or -ENOENT
 * when no line says anything (out is empty).
 */
int		 cgroup_parse_file(const char *text, size_t len,
		    struct ct_label *out);

#endif /* CT_CGROUP_H */
