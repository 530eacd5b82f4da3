/*
 * --output FILE: write beside FILE, then rename over it, so that a reader
 * (node_exporter's textfile collector scrapes whenever it likes) never
 * sees half a file, and leave nothing behind on any way out.
 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Tries at a fresh temporary name before giving up (EEXIST). */
#define OUTPUT_TRIES	100

/*
 * Every signal whose default action ends the process, held back while a
 * temporary file exists. The ones a fault raises stay deliverable:
 * blocking those would hide a crash, not prevent it.
 */
static void
output_sigset(sigset_t *set)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
	    SIGSYS, SIGABRT };
	size_t i;

	sigfillset(set);
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		sigdelset(set, faults[i]);
}

/* Six random characters that are safe in a file name. */
static void
output_suffix(char *s, unsigned attempt)
{
	static const char abc[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint8_t r[8];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* no entropy yet (early boot): the clock and the pid differ enough */
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^
		    ((uint64_t)getpid() << 40) ^ (attempt * 0x9e3779b97f4a7c15u);
		memcpy(r, &x, sizeof(r));
	}
	for (i = 0; i < 6; i++)
		s[i] = abc[r[i] % (sizeof(abc) - 1)];
	s[6] = '\0';
}

/* Free the names and give the signals back; out is closed already. */
static void
output_release(struct ct_output *out)
{
	free(out->path);
	free(out->dir);
	free(out->tmp);
	out->path = out->dir = out->tmp = NULL;
	sigprocmask(SIG_SETMASK, &out->saved, NULL);
}

int
output_open(struct ct_output *out, const char *path)
{
	const char *slash = strrchr(path, '/'), *base;
	sigset_t block;
	struct stat st;
	mode_t mode = 0666;		/* less the umask, as the kernel applies it */
	bool keep_mode = false;
	unsigned i;
	size_t dlen;
	int fd = -1, rc;

	memset(out, 0, sizeof(*out));
	base = slash != NULL ? slash + 1 : path;
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return -EISDIR;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		if (S_ISREG(st.st_mode)) {	/* keep what the admin chose */
			mode = st.st_mode & 07777;
			keep_mode = true;
		}
	}
	output_sigset(&block);
	sigprocmask(SIG_BLOCK, &block, &out->saved);
	dlen = slash == NULL ? 0 : (size_t)(slash - path) + 1;	/* with the '/' */
	out->path = xstrdup(path);
	out->dir = slash == NULL ? xstrdup(".") :
	    dlen == 1 ? xstrdup("/") : strndup(path, dlen - 1);
	if (out->dir == NULL)
		die("out of memory");
	out->tmp = xmalloc(dlen + 1 + strlen(base) + 8);
	for (i = 0; i < OUTPUT_TRIES; i++) {
		char sfx[7];

		output_suffix(sfx, i);
		sprintf(out->tmp, "%.*s.%s.%s", (int)dlen, path, base, sfx);
		fd = open(out->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, mode);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	if ((keep_mode && fchmod(fd, mode) != 0) ||
	    (out->fp = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		close(fd);
		unlink(out->tmp);
		goto fail;
	}
	return 0;
fail:
	output_release(out);
	return rc;
}

/*
 * The rename is on disk once the directory is: sync it too. A failure
 * here changes nothing a reader sees (the new file is in place), so it is
 * not one: some file systems refuse to fsync a directory.
 */
static void
output_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
output_commit(struct ct_output *out)
{
	int rc = 0;

	if (out->fp == NULL)
		return -EBADF;
	errno = 0;
	if (fflush(out->fp) != 0 || ferror(out->fp))
		rc = errno != 0 ? -errno : -EIO;
	else if (fsync(fileno(out->fp)) != 0)
		rc = -errno;
	if (fclose(out->fp) != 0 && rc == 0)
		rc = -errno;
	out->fp = NULL;
	if (rc == 0 && rename(out->tmp, out->path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(out->tmp);
	else
		output_sync_dir(out->dir);
	output_release(out);
	return rc;
}

void
output_abort(struct ct_output *out)
{
	if (out == NULL || out->tmp == NULL)
		return;
	if (out->fp != NULL)
		fclose(out->fp);
	out->fp = NULL;
	unlink(out->tmp);
	output_release(out);
}
