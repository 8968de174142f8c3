/* SPDX-License-Identifier: MIT */
/*
 * `gmhook fastcgi`: the CGI front end of cgi.c as a long-running FastCGI
 * responder (libfcgi's FCGX_* API). The configuration is read and the
 * context made once; the context is made again only after the database
 * was unreachable, so a restarted database is reconnected. It listens on
 * --listen (a unix socket path or HOST:PORT) or on the socket a FastCGI
 * manager passes as fd 0, and on SIGTERM or SIGINT it finishes the
 * request in flight and exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "cgi.h"

#if GMHOOK_HAVE_FCGI
#include <fcgiapp.h>

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void) sig;
	stop_requested = 1;
}

/* SIGTERM and SIGINT stay blocked while a request is served and are let
 * in only while waiting, so a request is never cut short. */
static void install_signals(sigset_t *waiting_mask)
{
	struct sigaction sa;
	sigset_t stops;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked accept() must return EINTR. */
	(void) sigaction(SIGTERM, &sa, NULL);
	(void) sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void) sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	(void) sigprocmask(SIG_BLOCK, &stops, waiting_mask);
	sigdelset(waiting_mask, SIGTERM);
	sigdelset(waiting_mask, SIGINT);
}

/* A unix socket path or HOST:PORT; an empty host would bind every
 * interface (libfcgi's ":PORT"), which is refused. */
static int open_listener(const struct cli_options *o)
{
	int fd;

	if (!o->listen) {
		if (FCGX_IsCGI()) {
			fprintf(stderr,
			        "gmhook: fastcgi needs --listen, or a listening socket on fd 0 from a FastCGI manager\n");
			return -64;
		}
		return 0;
	}
	if (o->listen[0] == ':' || !o->listen[0]) {
		fprintf(stderr,
		        "gmhook: --listen needs a unix socket path or HOST:PORT, got '%s'\n",
		        o->listen);
		return -64;
	}
	fd = FCGX_OpenSocket(o->listen, 64);
	if (fd < 0) {
		fprintf(stderr, "gmhook: fastcgi: cannot listen on %s: %s\n",
		        o->listen, strerror(errno));
		return -74;
	}
	return fd;
}

/* Wait for a connection with the stop signals let in; false when asked
 * to stop. */
static bool wait_for_connection(int fd, const sigset_t *waiting_mask)
{
	fd_set readable;
	int n;

	while (!stop_requested) {
		FD_ZERO(&readable);
		FD_SET(fd, &readable);
		n = pselect(fd + 1, &readable, NULL, NULL, NULL, waiting_mask);
		if (n > 0) {
			return true;
		}
		if (n < 0 && errno != EINTR) {
			fprintf(stderr,
			        "gmhook: fastcgi: waiting for connections: %s\n",
			        strerror(errno));
			return false;
		}
	}
	return false;
}

/* Accept with the stop signals let in (FCGI_FAIL_ACCEPT_ON_INTR makes
 * accept() return on them). */
static int accept_request(FCGX_Request *request, const sigset_t *waiting_mask)
{
	sigset_t serving;
	int rc;

	(void) sigprocmask(SIG_SETMASK, waiting_mask, &serving);
	rc = stop_requested ? -EINTR : FCGX_Accept_r(request);
	(void) sigprocmask(SIG_SETMASK, &serving, NULL);
	return rc;
}

static long read_fcgi(void *buf, size_t len, void *userdata)
{
	FCGX_Request *request = userdata;
	int chunk = len > 65536 ? 65536 : (int) len;

	return FCGX_GetStr(buf, chunk, request->in);
}

static void serve_request(struct cgi_server *srv, FCGX_Request *request)
{
	struct cgi_response resp;
	char out[sizeof(resp.body) + 512];
	size_t len;

	cgi_serve(&resp, srv, request->envp, read_fcgi, request);
	len = cgi_response_format(out, sizeof(out), &resp);
	if (len == 0 || FCGX_PutStr(out, (int) len, request->out) < 0) {
		fprintf(stderr, "gmhook: fastcgi: cannot write the response\n");
	}
	FCGX_Finish_r(request);
}

/* The configuration is read once, here: a broken one stops the service
 * before it takes requests. */
static int load_configuration(struct cgi_server *srv)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;

	if (gmhook_ctx_new(&srv->ctx, srv->opts, &err) < 0) {
		fprintf(stderr, "gmhook: %s (%s)\n", err.message,
		        gmhook_code_name(err.code));
		return gmhook_exit_status(err.code);
	}
	gmhook_ctx_set_log_fn(srv->ctx, cli_log, cli_log_level(srv->o), NULL);
	cli_set_timezone(srv->o->timezone ? srv->o->timezone
	                                  : gmhook_ctx_timezone(srv->ctx));
	return 0;
}

static int serve_loop(struct cgi_server *srv, int fd)
{
	FCGX_Request request;
	sigset_t waiting_mask;
	int rc = 0;

	install_signals(&waiting_mask);
	if (FCGX_InitRequest(&request, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		fprintf(stderr, "gmhook: fastcgi: cannot set up a request\n");
		return 75;
	}
	while (wait_for_connection(fd, &waiting_mask)) {
		rc = accept_request(&request, &waiting_mask);
		if (rc < 0 && (stop_requested || rc == -EINTR ||
		               rc == -EAGAIN || rc == -ECONNABORTED)) {
			rc = 0;
			continue;
		}
		if (rc < 0) {
			fprintf(stderr, "gmhook: fastcgi: accept: %s\n",
			        strerror(-rc));
			rc = 74;
			break;
		}
		serve_request(srv, &request);
	}
	FCGX_Free(&request, 0);
	return rc;
}

/*
 * A mapping that names a CONTACT2 field the database lacks is refused at
 * start (exit 78), not at the first event. A database that is down at
 * start is no reason not to serve: deliveries are spooled meanwhile.
 */
static int check_at_start(struct cgi_server *srv)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;

	if (gmhook_check(srv->ctx, &err) == 0) {
		return 0;
	}
	fprintf(stderr, "gmhook: fastcgi: %s%s%s (%s)\n", err.path,
	        err.path[0] ? ": " : "", err.message,
	        gmhook_code_name(err.code));
	return err.code == GMHOOK_ECONFIG ? gmhook_exit_status(err.code) : 0;
}

int cli_fastcgi(const struct cli_options *o, const struct gmhook_options *opts)
{
	struct cgi_server srv = { o, opts, NULL };
	int fd;
	int rc;

	if (FCGX_Init() != 0) {
		fprintf(stderr, "gmhook: fastcgi: cannot initialise libfcgi\n");
		return 75;
	}
	rc = load_configuration(&srv);
	if (rc) {
		return rc;
	}
	rc = check_at_start(&srv);
	if (rc) {
		gmhook_ctx_free(srv.ctx);
		return rc;
	}
	fd = open_listener(o);
	if (fd < 0) {
		gmhook_ctx_free(srv.ctx);
		return -fd;
	}
	fprintf(stderr, "gmhook: fastcgi: serving on %s\n",
	        o->listen ? o->listen : "fd 0");
	rc = serve_loop(&srv, fd);
	if (o->listen) {
		close(fd);
		if (!strchr(o->listen, ':')) {
			(void) unlink(o->listen);
		}
	}
	gmhook_ctx_free(srv.ctx);
	fprintf(stderr, "gmhook: fastcgi: stopped\n");
	return rc;
}

#else

int cli_fastcgi(const struct cli_options *o, const struct gmhook_options *opts)
{
	(void) o;
	(void) opts;
	fprintf(stderr,
	        "gmhook: fastcgi: this gmhook was built without libfcgi (install libfcgi-dev and rebuild)\n");
	return 69;
}

#endif
