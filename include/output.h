#ifndef CT_OUTPUT_H
#define CT_OUTPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * --output FILE: the text goes to a temporary file in FILE's directory
 * (".FILE.XXXXXX", a name node_exporter's "*.prom" never matches), which
 * replaces FILE in one rename() once it is whole and on disk; a reader
 * sees the old file or the new one, never a part of either. While the
 * temporary file exists, the signals that would end the process wait
 * (they are blocked), so that nothing is left behind: they take effect as
 * soon as it is renamed or removed.
 */
struct ct_output {
	FILE		*fp;		/* write here; NULL when not open */
	char		*path;		/* FILE */
	char		*dir;		/* its directory, to sync after the rename */
	char		*tmp;		/* the temporary file beside it */
	sigset_t	 saved;		/* the signal mask before output_open() */
};

/*
 * Open a temporary file beside path, with the mode of the file it will
 * replace (or 0666 less the umask), and hold the signals back. Returns 0
 * or -errno (nothing is left open then).
 */
int		 output_open(struct ct_output *out, const char *path);
/*
 * Flush, fsync, close and rename the temporary file over the path, then
 * let the signals through. Returns 0, or -errno when any step failed
 * (the temporary file is removed then, and the old file stays as it was).
 */
int		 output_commit(struct ct_output *out);
/* Remove the temporary file and let the signals through; a no-op when
 * nothing is open. For every way out that does not commit. */
void		 output_abort(struct ct_output *out);

#endif /* CT_OUTPUT_H */
