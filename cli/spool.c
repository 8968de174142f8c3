/* SPDX-License-Identifier: MIT */
/*
 * The spool side of the gmhook tool. `run` hands a delivery it could not
 * commit (database unreachable) to the library's spool and exits 75;
 * `drain` (for cron) commits spooled deliveries in the order received,
 * under a lock, moving the ones that can never succeed to DIR/dead/; and
 * `spool list|show|retry|drop` look after the spool by hand. Exactly-once
 * comes from the ledger: a file is removed only after its commit, so a
 * drain killed in between commits it again as a "duplicate".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define DEAD_DIR  "dead"
#define LOCK_FILE ".lock"
#define ERROR_EXT ".error"
#define DROP_LOG  "drop.log"

struct drain_counts {
	size_t committed;
	size_t duplicate;
	size_t ignored;
	size_t dead;
	size_t left;
};

static void put_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

/* "gmhook: <stage>: <path>: <message> (<CODE>)", as report.c prints it,
 * after @p prefix. Returns the exit status of the code. */
static int report_stderr(const char *prefix, const struct gmhook_error *err)
{
	const char *stage = gmhook_stage_name(err->stage);

	fprintf(stderr, "gmhook: %s%s%s%s%s%s (%s)\n", prefix, stage,
	        stage[0] ? ": " : "", err->path, err->path[0] ? ": " : "",
	        err->message, gmhook_code_name(err->code));
	return gmhook_exit_status(err->code);
}

static void report_json(FILE *f, const struct gmhook_error *err)
{
	fprintf(f, "{\"status\": \"error\", \"code\": ");
	put_json_string(f, gmhook_code_name(err->code));
	fprintf(f,
	        ", \"exit\": %d, \"stage\": ", gmhook_exit_status(err->code));
	put_json_string(f, gmhook_stage_name(err->stage));
	fprintf(f, ", \"path\": ");
	put_json_string(f, err->path);
	fprintf(f, ", \"message\": ");
	put_json_string(f, err->message);
}

static char *path_join(const char *a, const char *b)
{
	size_t len = strlen(a) + strlen(b) + 2;
	char *p = malloc(len);

	if (p) {
		snprintf(p, len, "%s/%s", a, b);
	}
	return p;
}

/* fsync a directory so a rename or unlink in it is durable. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0) {
		return -1;
	}
	if (fsync(fd) < 0) {
		rc = -1;
	}
	(void) close(fd);
	return rc;
}

const char *cli_spool_dir(struct gmhook_ctx *ctx, const struct cli_options *o)
{
	const char *dir = o->spool;

	if (!dir || !dir[0]) {
		dir = gmhook_ctx_spool_dir(ctx);
	}
	if (!dir || !dir[0]) {
		dir = getenv("GMHOOK_SPOOL");
	}
	return dir && dir[0] ? dir : NULL;
}

/* The error path of a failed SNS subscription confirmation: the GET of
 * the delivery's SubscribeURL (docs/sources.md). */
static bool confirmation_failed(const struct gmhook_error *err)
{
	static const char field[] = "/SubscribeURL";
	size_t len = strlen(err->path);
	size_t n = sizeof(field) - 1;

	return err->stage == GMHOOK_STAGE_COMMIT && len >= n &&
	       strcmp(err->path + len - n, field) == 0;
}

bool cli_spoolable(const struct gmhook_error *err)
{
	/* SNS retries a failed delivery under the topic's delivery policy;
	 * a failed confirmation is answered "retry later" rather than kept,
	 * so the sender's retry confirms it. */
	if (confirmation_failed(err)) {
		return false;
	}
	/* A constraint violation (SQLSTATE class 23) is the data's fault and
	 * would fail again; any other database error may pass later. */
	return err->code == GMHOOK_EUNAVAIL ||
	       (err->code == GMHOOK_EDB &&
	        strncmp(err->sqlstate, "23", 2) != 0);
}

/* ==== run: spool a delivery the database could not take ==== */

int cli_spool_delivery(struct gmhook_ctx *ctx, const struct cli_options *o,
                       const struct gmhook_request *req,
                       const struct gmhook_error *cause)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	const char *dir = cli_spool_dir(ctx, o);
	char *name = NULL;

	(void) report_stderr("", cause);
	if (!dir) {
		fprintf(stderr,
		        "gmhook: no spool directory (--spool, spool.dir in the configuration or $GMHOOK_SPOOL): nothing was spooled; the sender must retry\n");
		report_json(stdout, cause);
		printf("}\n");
		return 75;
	}
	/* With a file-size limit (ulimit -f), a write past it must fail with
	 * EFBIG rather than kill the process halfway through the file. */
	(void) signal(SIGXFSZ, SIG_IGN);
	if (gmhook_spool_write(&name, ctx, dir, req, &err) < 0) {
		fprintf(stderr,
		        "gmhook: spool: %s: nothing was spooled; the sender must retry\n",
		        err.message);
		report_json(stdout, cause);
		printf("}\n");
		return 75;
	}
	fprintf(stderr,
	        "gmhook: spooled the event as %s/%s; gmhook drain will commit it\n",
	        dir, name);
	printf("{\"status\": \"spooled\", \"spool\": ");
	put_json_string(stdout, name);
	printf(", \"dir\": ");
	put_json_string(stdout, dir);
	printf(", \"code\": ");
	put_json_string(stdout, gmhook_code_name(cause->code));
	printf(", \"message\": ");
	put_json_string(stdout, cause->message);
	printf("}\n");
	gmhook_free(name);
	return 75;
}

/* ==== The lock ==== */

/* Take DIR/.lock; returns its descriptor, or -1 after printing why (the
 * exit status in *status). */
static int take_lock(const char *dir, bool wait, int *status)
{
	char *path = path_join(dir, LOCK_FILE);
	int fd = -1;

	if (!path) {
		fprintf(stderr, "gmhook: out of memory\n");
		*status = 75;
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "gmhook: spool: cannot open %s: %s\n", path,
		        strerror(errno));
		*status = errno == ENOENT ? 78 : 75;
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		fprintf(stderr,
		        "gmhook: spool: another gmhook is working on %s (use --wait to wait for it): %s\n",
		        dir, strerror(errno));
		(void) close(fd);
		*status = 75;
		fd = -1;
	}
	free(path);
	return fd;
}

/* ==== Dead letters ==== */

/* Write @p err as JSON to dead/NAME.error, durably. */
static int write_error_file(const char *dead, const char *name,
                            const struct gmhook_error *err)
{
	char file[512];
	char tmp[520];
	FILE *f;
	int rc = 0;

	snprintf(file, sizeof(file), "%s/%s" ERROR_EXT, dead, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s" ERROR_EXT ".tmp", dead, name);
	f = fopen(tmp, "w");
	if (!f) {
		return -1;
	}
	report_json(f, err);
	fprintf(f, ", \"dead_since\": %lld}\n", (long long) time(NULL));
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		rc = -1;
	}
	if (fclose(f) != 0 || rc < 0 || rename(tmp, file) < 0) {
		(void) unlink(tmp);
		return -1;
	}
	return 0;
}

/* Move @p name to DIR/dead/ with its error beside it. */
static int bury(const char *dir, const char *name,
                const struct gmhook_error *err)
{
	char *dead = path_join(dir, DEAD_DIR);
	char *from = path_join(dir, name);
	char *to = dead ? path_join(dead, name) : NULL;
	int rc = -1;

	if (!dead || !from || !to) {
		goto out;
	}
	if (mkdir(dead, 0700) < 0 && errno != EEXIST) {
		goto out;
	}
	if (write_error_file(dead, name, err) < 0 || rename(from, to) < 0) {
		goto out;
	}
	rc = sync_dir(dead) < 0 || sync_dir(dir) < 0 ? -1 : 0;
out:
	if (rc < 0) {
		fprintf(stderr, "gmhook: spool: cannot move %s to %s/: %s\n",
		        name, DEAD_DIR, strerror(errno));
	}
	free(to);
	free(from);
	free(dead);
	return rc;
}

/* ==== drain ==== */

/* Parse, validate, map and commit one spooled delivery. */
static int commit_request(struct gmhook_result **out, struct gmhook_ctx *ctx,
                          const struct gmhook_request *req,
                          struct gmhook_error *err)
{
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	int rc;

	rc = gmhook_parse(&event, ctx, req, err);
	if (rc == 0) {
		rc = gmhook_validate(ctx, event, err);
	}
	if (rc == 0) {
		rc = gmhook_map(&plan, ctx, event, err);
	}
	if (rc == 0) {
		rc = gmhook_commit(out, ctx, plan, err);
	}
	gmhook_plan_free(plan);
	gmhook_event_free(event);
	return rc;
}

static void count_result(struct drain_counts *c, const char *status)
{
	if (strcmp(status, "duplicate") == 0) {
		c->duplicate++;
	} else if (strcmp(status, "ignored") == 0) {
		c->ignored++;
	} else {
		c->committed++;
	}
}

/*
 * Drain one file. Returns 0 to go on, or the exit status that stops the
 * drain (75 when the database is still unreachable).
 */
static int drain_one(struct gmhook_ctx *ctx, const char *dir, const char *name,
                     struct drain_counts *c)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_spool_item *item = NULL;
	struct gmhook_result *result = NULL;
	char *path = path_join(dir, name);
	int status = 0;
	int rc;

	if (!path) {
		fprintf(stderr, "gmhook: out of memory\n");
		return 75;
	}
	rc = gmhook_spool_read(&item, ctx, path, &err);
	if (rc == 0) {
		rc = commit_request(&result, ctx,
		                    gmhook_spool_item_request(item), &err);
	}
	if (rc == 0) {
		count_result(c, gmhook_result_status(result));
		if (unlink(path) < 0 || sync_dir(dir) < 0) {
			fprintf(stderr,
			        "gmhook: spool: cannot remove %s after its commit: %s\n",
			        path, strerror(errno));
			status = 74;
		}
	} else if (gmhook_exit_status(rc) == 65 ||
	           gmhook_exit_status(rc) == 77) {
		fprintf(stderr,
		        "gmhook: spool: %s can never be committed; moving it to %s/\n",
		        name, DEAD_DIR);
		(void) report_stderr("", &err);
		c->dead++;
		status = bury(dir, name, &err) < 0 ? 74 : 0;
	} else {
		fprintf(stderr, "gmhook: spool: %s stays in the spool\n", name);
		status = report_stderr("", &err);
	}
	gmhook_result_free(result);
	gmhook_spool_item_free(item);
	free(path);
	return status;
}

static void print_summary(const struct drain_counts *c, int status)
{
	printf("{\"status\": \"%s\", \"committed\": %zu, \"duplicate\": %zu, \"ignored\": %zu, \"dead\": %zu, \"left\": %zu}\n",
	       status == 0 ? "drained" : "stopped", c->committed, c->duplicate,
	       c->ignored, c->dead, c->left);
}

int cli_drain(struct gmhook_ctx *ctx, const struct cli_options *o)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct drain_counts c = { 0 };
	const char *dir = cli_spool_dir(ctx, o);
	char **names = NULL;
	int status = 0;
	size_t i;
	int lock;

	if (!dir) {
		fprintf(stderr,
		        "gmhook: drain: no spool directory (--spool, spool.dir in the configuration or $GMHOOK_SPOOL)\n");
		return 64;
	}
	lock = take_lock(dir, o->wait, &status);
	if (lock < 0) {
		return status;
	}
	(void) signal(SIGXFSZ, SIG_IGN);
	if (gmhook_spool_list(&names, ctx, dir, &err) < 0) {
		(void) close(lock);
		return cli_report_error(&err);
	}
	for (i = 0; names[i]; i++) {
		status = drain_one(ctx, dir, names[i], &c);
		if (status) {
			break;
		}
	}
	/* The file that stopped the drain and every later one stay. */
	for (; names[i]; i++) {
		c.left++;
	}
	print_summary(&c, status);
	gmhook_spool_list_free(names);
	(void) close(lock);
	return status;
}

/* ==== spool list|show|retry|drop ==== */

/* Accept an ID with or without ".json"; refuse anything that could name
 * a file outside the spool. */
static int entry_name(char *out, size_t size, const char *id)
{
	size_t len = strlen(id);

	if (len == 0 || id[0] == '.' || strchr(id, '/') || len + 6 > size) {
		fprintf(stderr,
		        "gmhook: spool: '%s' is not a spool ID (see gmhook spool list)\n",
		        id);
		return 64;
	}
	if (len > 5 && strcmp(id + len - 5, ".json") == 0) {
		snprintf(out, size, "%s", id);
	} else {
		snprintf(out, size, "%s.json", id);
	}
	return 0;
}

static void list_dir(struct gmhook_ctx *ctx, const char *dir, const char *state)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_spool_item *item = NULL;
	const struct gmhook_request *req;
	char **names = NULL;
	char *path;
	size_t i;

	if (gmhook_spool_list(&names, ctx, dir, &err) < 0) {
		return;
	}
	for (i = 0; names[i]; i++) {
		path = path_join(dir, names[i]);
		if (path && gmhook_spool_read(&item, ctx, path, &err) == 0) {
			req = gmhook_spool_item_request(item);
			printf("%s\t%s\t%lld\t%s\t%zu\n", names[i], state,
			       (long long) req->received,
			       req->source ? req->source : "-", req->body_len);
			gmhook_spool_item_free(item);
			item = NULL;
		} else {
			printf("%s\t%s\tunreadable\t-\t-\n", names[i], state);
		}
		free(path);
	}
	gmhook_spool_list_free(names);
}

static int spool_list(struct gmhook_ctx *ctx, const char *dir)
{
	char *dead = path_join(dir, DEAD_DIR);
	struct stat st;

	if (stat(dir, &st) < 0) {
		fprintf(stderr, "gmhook: spool: cannot open %s: %s\n", dir,
		        strerror(errno));
		free(dead);
		return 74;
	}
	list_dir(ctx, dir, "spooled");
	if (dead) {
		list_dir(ctx, dead, "dead");
	}
	free(dead);
	return 0;
}

/* Copy a file to stdout. */
static int cat_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[8192];
	size_t n;

	if (!f) {
		return -1;
	}
	for (;;) {
		n = fread(buf, 1, sizeof(buf), f);
		if (n == 0) {
			break;
		}
		fwrite(buf, 1, n, stdout);
	}
	(void) fclose(f);
	return 0;
}

/* Find @p name in the spool or in dead/; *dead_out says which. */
static char *find_entry(const char *dir, const char *name, bool *dead_out)
{
	char sub[512];
	char *path = path_join(dir, name);

	*dead_out = false;
	if (path && access(path, F_OK) == 0) {
		return path;
	}
	free(path);
	snprintf(sub, sizeof(sub), "%s/%s", DEAD_DIR, name);
	path = path_join(dir, sub);
	if (path && access(path, F_OK) == 0) {
		*dead_out = true;
		return path;
	}
	free(path);
	fprintf(stderr, "gmhook: spool: no entry %s in %s or %s/%s\n", name,
	        dir, dir, DEAD_DIR);
	return NULL;
}

static int spool_show(const char *dir, const char *name)
{
	char error_path[600];
	bool dead;
	char *path = find_entry(dir, name, &dead);

	if (!path) {
		return 66;
	}
	printf("{\"id\": ");
	put_json_string(stdout, name);
	printf(", \"state\": \"%s\", \"error\": ", dead ? "dead" : "spooled");
	snprintf(error_path, sizeof(error_path), "%s" ERROR_EXT, path);
	if (!dead || cat_file(error_path) < 0) {
		printf("null\n");
	}
	printf(", \"spool\": ");
	if (cat_file(path) < 0) {
		printf("null");
	}
	printf("}\n");
	free(path);
	return 0;
}

static int spool_retry(const char *dir, const char *name)
{
	char from[512];
	char error_path[520];
	char *to = path_join(dir, name);
	char *dead = path_join(dir, DEAD_DIR);
	int rc = 0;

	snprintf(from, sizeof(from), "%s/%s/%s", dir, DEAD_DIR, name);
	snprintf(error_path, sizeof(error_path), "%s" ERROR_EXT, from);
	if (!to || !dead || rename(from, to) < 0 || sync_dir(dir) < 0) {
		fprintf(stderr,
		        "gmhook: spool: cannot move %s back from %s/: %s\n",
		        name, DEAD_DIR, strerror(errno));
		rc = errno == ENOENT ? 66 : 74;
	} else {
		(void) unlink(error_path);
		(void) sync_dir(dead);
		fprintf(stderr,
		        "gmhook: spool: %s is back in the spool; the next drain will try it\n",
		        name);
	}
	free(dead);
	free(to);
	return rc;
}

/* Record a drop in DIR/drop.log (and on stderr): who and what was lost. */
static void log_drop(const char *dir, const char *name, bool dead)
{
	char *path = path_join(dir, DROP_LOG);
	FILE *f = path ? fopen(path, "a") : NULL;
	time_t now = time(NULL);
	char when[32];

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(stderr, "gmhook: spool: dropped %s%s (logged in %s)\n",
	        dead ? DEAD_DIR "/" : "", name, path ? path : DROP_LOG);
	if (f) {
		fprintf(f, "%s dropped %s%s by uid %ld pid %ld\n", when,
		        dead ? DEAD_DIR "/" : "", name, (long) getuid(),
		        (long) getpid());
		(void) fflush(f);
		(void) fsync(fileno(f));
		(void) fclose(f);
	}
	free(path);
}

static int spool_drop(const char *dir, const char *name)
{
	char error_path[600];
	bool dead;
	char *path = find_entry(dir, name, &dead);
	char *parent;

	if (!path) {
		return 66;
	}
	if (unlink(path) < 0) {
		fprintf(stderr, "gmhook: spool: cannot remove %s: %s\n", path,
		        strerror(errno));
		free(path);
		return 74;
	}
	snprintf(error_path, sizeof(error_path), "%s" ERROR_EXT, path);
	(void) unlink(error_path);
	parent = dead ? path_join(dir, DEAD_DIR) : NULL;
	(void) sync_dir(parent ? parent : dir);
	log_drop(dir, name, dead);
	free(parent);
	free(path);
	return 0;
}

int cli_spool_command(struct gmhook_ctx *ctx, const struct cli_options *o)
{
	const char *dir = cli_spool_dir(ctx, o);
	const char *action = o->spool_action ? o->spool_action : "list";
	char name[256];
	int status = 0;
	int lock;
	int rc;

	if (!dir) {
		fprintf(stderr,
		        "gmhook: spool: no spool directory (--spool, spool.dir in the configuration or $GMHOOK_SPOOL)\n");
		return 64;
	}
	if (strcmp(action, "list") == 0) {
		return spool_list(ctx, dir);
	}
	if (!o->spool_id) {
		fprintf(stderr,
		        "gmhook: spool %s needs an ID (see gmhook spool list)\n",
		        action);
		return 64;
	}
	rc = entry_name(name, sizeof(name), o->spool_id);
	if (rc) {
		return rc;
	}
	if (strcmp(action, "show") == 0) {
		return spool_show(dir, name);
	}
	/* retry and drop change the spool: keep out of a running drain. */
	lock = take_lock(dir, true, &status);
	if (lock < 0) {
		return status;
	}
	if (strcmp(action, "retry") == 0) {
		rc = spool_retry(dir, name);
	} else {
		rc = spool_drop(dir, name);
	}
	(void) close(lock);
	return rc;
}
