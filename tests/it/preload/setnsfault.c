/*
 * setnsfault.so: one network namespace refuses entry, as a security
 * module or a user namespace one is not privileged in would have it.
 *
 *   LD_PRELOAD=build/it/setnsfault.so CT_SETNSFAULT_INO=4026532283 conntab ...
 *
 * setns() on a descriptor whose inode is CT_SETNSFAULT_INO fails with
 * EPERM (CT_SETNSFAULT_ERRNO may name another errno, as a number); every
 * other call goes to libc. (Under AddressSanitizer, add
 * verify_asan_link_order=0 to ASAN_OPTIONS.)
 */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>

int
setns(int fd, int nstype)
{
	static int (*real)(int, int);
	const char *ino = getenv("CT_SETNSFAULT_INO");
	const char *err = getenv("CT_SETNSFAULT_ERRNO");
	struct stat st;

	if (real == NULL)
		real = (int (*)(int, int))dlsym(RTLD_NEXT, "setns");
	if (ino != NULL && fstat(fd, &st) == 0 &&
	    (unsigned long long)st.st_ino == strtoull(ino, NULL, 10)) {
		errno = err != NULL ? atoi(err) : EPERM;
		return -1;
	}
	return real(fd, nstype);
}
