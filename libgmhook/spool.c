/* SPDX-License-Identifier: MIT */
/*
 * The spool: deliveries that reached gmhook but not the database. A
 * delivery is kept as it arrived (the body base64, so every byte survives,
 * plus headers, content type, source and the time received) in one JSON
 * file per delivery, written durably before anyone is told it is safe.
 * It sits beside the pipeline: gmhook_spool_write() runs when commit
 * cannot reach the database, and gmhook_spool_read() gives back a
 * struct gmhook_request that goes through parse -> validate -> map ->
 * commit again later. File names sort in the order deliveries arrived.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "gmhook-private.h"

#define SPOOL_VERSION  1
#define SPOOL_SUFFIX   ".json"
#define SPOOL_NAME_MAX 96
/* A spool file carries the body in base64 (4/3) plus headers. */
#define SPOOL_OVERHEAD (1024 * 1024)

static int io_error(struct gmhook_error *err, const char *what,
                    const char *path, int error)
{
	return gmhook__error_set(err, GMHOOK_EIO, GMHOOK_STAGE_NONE, "",
	                         "spool: cannot %s %s: %s", what, path,
	                         strerror(error));
}

static int no_memory(struct gmhook_error *err)
{
	return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_NONE, "",
	                         "out of memory");
}

static char *join_path(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);

	if (path) {
		snprintf(path, len, "%s/%s", dir, name);
	}
	return path;
}

/* ==== Writing ==== */

/*
 * The name: nanoseconds since the epoch (20 digits, so names sort as
 * numbers), the process id and 32 random bits, which keep two deliveries
 * in the same nanosecond apart. A caller-supplied time that is not "now"
 * (a replay) sorts at that time.
 */
static void spool_name(char *out, size_t size, int64_t received)
{
	struct timespec ts = { 0 };
	unsigned char rnd[4] = { 0 };
	unsigned long long ns;

	(void) clock_gettime(CLOCK_REALTIME, &ts);
	if (received > (int64_t) ts.tv_sec + 1 ||
	    received < (int64_t) ts.tv_sec - 1) {
		ts.tv_sec = (time_t) received;
	}
	ns = (unsigned long long) ts.tv_sec * 1000000000ULL +
	     (unsigned long long) ts.tv_nsec;
	if (RAND_bytes(rnd, (int) sizeof(rnd)) != 1) {
		/* No entropy source: the pid and the time still make the name
		 * unique within this host; O_EXCL catches the rest. */
		rnd[0] = (unsigned char) (ts.tv_nsec >> 3);
	}
	snprintf(out, size, "%020llu-%ld-%02x%02x%02x%02x" SPOOL_SUFFIX, ns,
	         (long) getpid(), rnd[0], rnd[1], rnd[2], rnd[3]);
}

/* An optional string member: the value, or JSON null. */
static json_object *string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *headers_to_json(const struct gmhook_request *req)
{
	json_object *list = json_object_new_array();
	json_object *pair;
	size_t i;

	for (i = 0; list && i < req->n_headers; i++) {
		pair = json_object_new_array();
		if (!pair) {
			json_object_put(list);
			return NULL;
		}
		/* json_object_array_add steals the new strings' references. */
		json_object_array_add(
		        pair, json_object_new_string(req->headers[i].name));
		json_object_array_add(
		        pair, json_object_new_string(req->headers[i].value));
		json_object_array_add(list, pair);
	}
	return list;
}

/* The spool document of @p req; caller frees. NULL when out of memory. */
static char *spool_document(const struct gmhook_request *req, int64_t received)
{
	json_object *doc = json_object_new_object();
	char *b64 = gmhook__base64_encode(req->body, req->body_len);
	char sha[65];
	char *text = NULL;

	gmhook__sha256_hex(req->body, req->body_len, sha);
	if (doc && b64) {
		/* json_object_object_add steals each new value's reference. */
		json_object_object_add(doc, "gmhook",
		                       json_object_new_string("spool"));
		json_object_object_add(doc, "version",
		                       json_object_new_int(SPOOL_VERSION));
		json_object_object_add(doc, "received",
		                       json_object_new_int64(received));
		json_object_object_add(doc, "source",
		                       string_or_null(req->source));
		json_object_object_add(doc, "content_type",
		                       string_or_null(req->content_type));
		json_object_object_add(doc, "headers", headers_to_json(req));
		json_object_object_add(
		        doc, "body_len",
		        json_object_new_int64((int64_t) req->body_len));
		json_object_object_add(doc, "sha256",
		                       json_object_new_string(sha));
		json_object_object_add(doc, "body",
		                       json_object_new_string(b64));
		text = gmhook__strdup(json_object_to_json_string_ext(
		        doc, JSON_C_TO_STRING_PLAIN |
		                     JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(doc);
	free(b64);
	return text;
}

static int write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return n < 0 ? errno : ENOSPC;
		}
		data += n;
		len -= (size_t) n;
	}
	return 0;
}

/* fsync a directory so a rename or unlink in it survives a power loss. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int error = 0;

	if (fd < 0) {
		return errno;
	}
	if (fsync(fd) < 0) {
		error = errno;
	}
	(void) close(fd);
	return error;
}

/* Write @p text to @p tmp and flush it to the disk. */
static int write_file_synced(const char *tmp, const char *text,
                             struct gmhook_error *err)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int error;

	if (fd < 0) {
		return io_error(err, "create", tmp, errno);
	}
	error = write_all(fd, text, strlen(text));
	if (error == 0 && fsync(fd) < 0) {
		error = errno;
	}
	if (close(fd) < 0 && error == 0) {
		error = errno;
	}
	if (error) {
		(void) unlink(tmp);
		return io_error(err, "write", tmp, error);
	}
	return 0;
}

static int check_write_args(const char *dir, const struct gmhook_request *req,
                            struct gmhook_error *err)
{
	size_t i;

	if (!dir || !dir[0]) {
		return gmhook__error_set(err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE,
		                         "", "dir must name a directory");
	}
	if (!req || (!req->body && req->body_len > 0)) {
		return gmhook__error_set(err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE,
		                         "",
		                         "req must be a request with a body");
	}
	for (i = 0; i < req->n_headers; i++) {
		if (!req->headers[i].name || !req->headers[i].value) {
			return gmhook__error_set(
			        err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE, "",
			        "req header %zu has no name or value", i);
		}
	}
	return 0;
}

GMHOOK_API int gmhook_spool_write(char **name_out, struct gmhook_ctx *ctx,
                                  const char *dir,
                                  const struct gmhook_request *req,
                                  struct gmhook_error *err)
{
	int64_t received;
	char name[SPOOL_NAME_MAX];
	char tmp_name[SPOOL_NAME_MAX + 8];
	char *text = NULL;
	char *tmp = NULL;
	char *path = NULL;
	char *copy = NULL;
	int error;
	int rc;

	rc = check_write_args(dir, req, err);
	if (rc) {
		return rc;
	}
	received = req->received ? req->received : gmhook__now(ctx);
	spool_name(name, sizeof(name), received);
	snprintf(tmp_name, sizeof(tmp_name), ".%s.tmp", name);
	text = spool_document(req, received);
	tmp = join_path(dir, tmp_name);
	path = join_path(dir, name);
	copy = gmhook__strdup(name);
	if (!text || !tmp || !path || !copy) {
		rc = no_memory(err);
		goto out;
	}

	rc = write_file_synced(tmp, text, err);
	if (rc) {
		goto out;
	}

	/* The temporary name never looks like a spool entry, so a reader
	 * sees the whole file or none of it. */
	if (rename(tmp, path) < 0) {
		rc = io_error(err, "rename into place", path, errno);
		(void) unlink(tmp);
		goto out;
	}
	error = sync_dir(dir);
	if (error) {
		/* Durability unknown: take it back rather than claim it. */
		(void) unlink(path);
		rc = io_error(err, "sync directory", dir, error);
		goto out;
	}
	log_info(ctx, "spooled the delivery as %s", path);

	if (name_out) {
		*name_out = copy;
		copy = NULL;
	}
out:
	free(copy);
	free(path);
	free(tmp);
	free(text);
	return rc;
}

/* ==== Reading ==== */

static int format_error(struct gmhook_error *err, const char *pointer,
                        const char *file, const char *what)
{
	return gmhook__error_set(err, GMHOOK_EPARSE, GMHOOK_STAGE_PARSE,
	                         pointer, "spool file %s: %s", file, what);
}

static int read_file(char **out, size_t *len, const char *path, size_t limit,
                     struct gmhook_error *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;
	size_t got;

	if (!f) {
		return io_error(err, "open", path, errno);
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		(void) fclose(f);
		return io_error(err, "read", path, EINVAL);
	}
	if ((uint64_t) st.st_size > limit) {
		(void) fclose(f);
		return gmhook__error_set(
		        err, GMHOOK_ETOOBIG, GMHOOK_STAGE_PARSE, "",
		        "spool file %s is larger than %zu bytes", path, limit);
	}
	buf = malloc((size_t) st.st_size + 1);
	if (!buf) {
		(void) fclose(f);
		return no_memory(err);
	}
	got = fread(buf, 1, (size_t) st.st_size, f);
	if (ferror(f) || got != (size_t) st.st_size) {
		(void) fclose(f);
		free(buf);
		return io_error(err, "read", path, errno ? errno : EIO);
	}
	(void) fclose(f);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

/* An optional string member: copied into *out; JSON null or absent is
 * NULL. */
static int get_optional(char **out, json_object *doc, const char *key,
                        const char *file, struct gmhook_error *err)
{
	json_object *v = NULL;
	char pointer[64];

	snprintf(pointer, sizeof(pointer), "/%s", key);
	if (!json_object_object_get_ex(doc, key, &v) || !v) {
		return 0;
	}
	if (!json_object_is_type(v, json_type_string)) {
		return format_error(err, pointer, file,
		                    "must be a string or null");
	}
	*out = gmhook__strdup(json_object_get_string(v));
	return *out ? 0 : no_memory(err);
}

static int read_headers(struct gmhook_spool_item *item, json_object *doc,
                        const char *file, struct gmhook_error *err)
{
	json_object *list = gmhook__get(doc, "/headers");
	json_object *pair;
	size_t n;
	size_t i;
	char pointer[64];

	if (!list || !json_object_is_type(list, json_type_array)) {
		return format_error(err, "/headers", file, "must be an array");
	}
	n = json_object_array_length(list);
	item->headers = calloc(n ? n : 1, sizeof(*item->headers));
	item->strings = calloc(n ? 2 * n : 1, sizeof(*item->strings));
	if (!item->headers || !item->strings) {
		return no_memory(err);
	}
	for (i = 0; i < n; i++) {
		pair = json_object_array_get_idx(list, i);
		snprintf(pointer, sizeof(pointer), "/headers/%zu", i);
		if (!json_object_is_type(pair, json_type_array) ||
		    json_object_array_length(pair) != 2 ||
		    !json_object_is_type(json_object_array_get_idx(pair, 0),
		                         json_type_string) ||
		    !json_object_is_type(json_object_array_get_idx(pair, 1),
		                         json_type_string)) {
			return format_error(
			        err, pointer, file,
			        "must be a [name, value] pair of strings");
		}
		item->strings[2 * i] = gmhook__strdup(json_object_get_string(
		        json_object_array_get_idx(pair, 0)));
		item->strings[2 * i + 1] =
		        gmhook__strdup(json_object_get_string(
		                json_object_array_get_idx(pair, 1)));
		item->n_strings = 2 * i + 2;
		if (!item->strings[2 * i] || !item->strings[2 * i + 1]) {
			return no_memory(err);
		}
		item->headers[i].name = item->strings[2 * i];
		item->headers[i].value = item->strings[2 * i + 1];
	}
	item->n_headers = n;
	return 0;
}

/* The body: base64, checked against its recorded length and SHA-256 so a
 * damaged file is refused rather than committed with other bytes. */
static int read_body(struct gmhook_spool_item *item, json_object *doc,
                     const char *file, struct gmhook_error *err)
{
	const char *b64 = gmhook__get_str(doc, "/body");
	const char *sha = gmhook__get_str(doc, "/sha256");
	json_object *len = gmhook__get(doc, "/body_len");
	char hex[65];

	if (!b64 || !gmhook__base64_decode(b64, &item->body, &item->body_len)) {
		return format_error(err, "/body", file,
		                    "must be a base64 string");
	}
	if (!len || !json_object_is_type(len, json_type_int) ||
	    json_object_get_int64(len) != (int64_t) item->body_len) {
		return format_error(err, "/body_len", file,
		                    "does not match the body's length");
	}
	gmhook__sha256_hex(item->body, item->body_len, hex);
	if (!sha || strcmp(sha, hex) != 0) {
		return format_error(err, "/sha256", file,
		                    "does not match the body");
	}
	return 0;
}

static int read_document(struct gmhook_spool_item *item, json_object *doc,
                         const char *file, struct gmhook_error *err)
{
	const char *kind = gmhook__get_str(doc, "/gmhook");
	json_object *version = gmhook__get(doc, "/version");
	json_object *received = gmhook__get(doc, "/received");
	int rc;

	if (!kind || strcmp(kind, "spool") != 0) {
		return format_error(err, "/gmhook", file,
		                    "is not a gmhook spool document");
	}
	if (!version || !json_object_is_type(version, json_type_int) ||
	    json_object_get_int(version) != SPOOL_VERSION) {
		return format_error(err, "/version", file,
		                    "has an unknown version");
	}
	if (!received || !json_object_is_type(received, json_type_int) ||
	    json_object_get_int64(received) <= 0) {
		return format_error(err, "/received", file,
		                    "must be Unix seconds");
	}
	item->received = json_object_get_int64(received);
	rc = get_optional(&item->source, doc, "source", file, err);
	if (rc == 0) {
		rc = get_optional(&item->content_type, doc, "content_type",
		                  file, err);
	}
	if (rc == 0) {
		rc = read_headers(item, doc, file, err);
	}
	return rc ? rc : read_body(item, doc, file, err);
}

static int parse_document(json_object **out, const char *text, size_t len,
                          const char *file, struct gmhook_error *err)
{
	struct json_tokener *tok;
	json_object *doc;

	if (len > INT32_MAX) {
		return format_error(err, "", file, "is too large");
	}
	tok = json_tokener_new();
	if (!tok) {
		return no_memory(err);
	}
	doc = json_tokener_parse_ex(tok, text, (int) len);
	if (!doc || json_tokener_get_parse_end(tok) != len) {
		json_tokener_free(tok);
		json_object_put(doc);
		return format_error(err, "", file, "is not a JSON document");
	}
	json_tokener_free(tok);
	if (!json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return format_error(err, "", file, "must be a JSON object");
	}
	*out = doc;
	return 0;
}

static size_t read_limit(const struct gmhook_ctx *ctx)
{
	uint64_t body = ctx->opts.max_body;

	if (body > (SIZE_MAX - SPOOL_OVERHEAD) / 2) {
		return SIZE_MAX;
	}
	return (size_t) (body * 2 + SPOOL_OVERHEAD);
}

GMHOOK_API int gmhook_spool_read(struct gmhook_spool_item **out,
                                 struct gmhook_ctx *ctx, const char *path,
                                 struct gmhook_error *err)
{
	struct gmhook_spool_item *item = NULL;
	json_object *doc = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!out || !ctx || !path) {
		return gmhook__error_set(err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE,
		                         "",
		                         "out, ctx and path must not be NULL");
	}
	rc = read_file(&text, &len, path, read_limit(ctx), err);
	if (rc) {
		return rc;
	}
	rc = parse_document(&doc, text, len, path, err);
	if (rc) {
		goto out;
	}

	item = calloc(1, sizeof(*item));
	if (!item) {
		rc = no_memory(err);
		goto out;
	}
	rc = read_document(item, doc, path, err);
	if (rc) {
		goto out;
	}
	item->req.version = GMHOOK_REQUEST_VERSION;
	item->req.body = item->body ? (const void *) item->body : "";
	item->req.body_len = item->body_len;
	item->req.content_type = item->content_type;
	item->req.headers = item->headers;
	item->req.n_headers = item->n_headers;
	item->req.source = item->source;
	item->req.received = item->received;

	*out = item;
	item = NULL;
out:
	gmhook_spool_item_free(item);
	json_object_put(doc);
	free(text);
	return rc;
}

GMHOOK_API const struct gmhook_request *
gmhook_spool_item_request(const struct gmhook_spool_item *item)
{
	return item ? &item->req : NULL;
}

GMHOOK_API void gmhook_spool_item_free(struct gmhook_spool_item *item)
{
	size_t i;

	if (!item) {
		return;
	}
	for (i = 0; i < item->n_strings; i++) {
		free(item->strings[i]);
	}
	free(item->strings);
	free(item->headers);
	free(item->body);
	free(item->content_type);
	free(item->source);
	free(item);
}

/* ==== Listing ==== */

bool gmhook__spool_is_entry(const char *name)
{
	size_t len = strlen(name);
	size_t suffix = sizeof(SPOOL_SUFFIX) - 1;

	return len > suffix && name[0] != '.' &&
	       strcmp(name + len - suffix, SPOOL_SUFFIX) == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static int add_name(char ***names, size_t *n, size_t *cap, const char *name)
{
	char **grown;

	if (*n + 1 >= *cap) {
		if (*cap > SIZE_MAX / 2 / sizeof(**names)) {
			return -1;
		}
		grown = realloc(*names, *cap * 2 * sizeof(**names));
		if (!grown) {
			return -1;
		}
		*names = grown;
		*cap *= 2;
	}
	(*names)[*n] = gmhook__strdup(name);
	if (!(*names)[*n]) {
		return -1;
	}
	(*n)++;
	(*names)[*n] = NULL;
	return 0;
}

GMHOOK_API int gmhook_spool_list(char ***out, struct gmhook_ctx *ctx,
                                 const char *dir, struct gmhook_error *err)
{
	struct dirent *entry;
	char **names = NULL;
	size_t n = 0;
	size_t cap = 16;
	DIR *d;

	(void) ctx;
	if (!out || !dir || !dir[0]) {
		return gmhook__error_set(err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE,
		                         "", "out and dir must be given");
	}
	d = opendir(dir);
	if (!d) {
		return io_error(err, "open directory", dir, errno);
	}
	names = calloc(cap, sizeof(*names));
	if (!names) {
		(void) closedir(d);
		return no_memory(err);
	}
	for (;;) {
		entry = readdir(d);
		if (!entry) {
			break;
		}
		if (gmhook__spool_is_entry(entry->d_name) &&
		    add_name(&names, &n, &cap, entry->d_name) < 0) {
			(void) closedir(d);
			gmhook_spool_list_free(names);
			return no_memory(err);
		}
	}
	(void) closedir(d);
	qsort(names, n, sizeof(*names), compare_names);
	*out = names;
	return 0;
}

GMHOOK_API void gmhook_spool_list_free(char **names)
{
	size_t i;

	if (!names) {
		return;
	}
	for (i = 0; names[i]; i++) {
		free(names[i]);
	}
	free(names);
}
