#ifndef CT_NETNS_H
#define CT_NETNS_H

/*
 * Enter the network namespace named by spec: a PID (all digits) means
 * /proc/PID/ns/net, a spec with a '/' is a path, anything else is
 * /run/netns/NAME. Returns 0 or -errno (-ENOENT: no such namespace).
 */
int		 netns_enter(const char *spec);
/* The path netns_enter() would open, into buf; for error messages. */
void		 netns_path(const char *spec, char *buf, unsigned long len);

#endif /* CT_NETNS_H */
