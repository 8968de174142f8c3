/* SPDX-License-Identifier: MIT */
/*
 * The configuration file: one JSON document with the database, defaults,
 * limits, the spool directory, the HTTP front door's trusted proxies and
 * per-source settings (enabled, secret, signature window). Secrets are
 * written as "env:NAME" or "file:/path" so the file itself can be
 * world-readable; they are resolved here, kept in the context only, and
 * never logged. Unknown keys are errors naming the JSON pointer of the
 * key, so a typo never silently disables a check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "gmhook-private.h"

#define CONFIG_MAX_SIZE (1024 * 1024)
#define SECRET_MAX_SIZE 4096

struct loader {
	struct gmhook_ctx *ctx;
	struct gmhook_options *opts;
	const char *file;
	struct gmhook_error *err;
};

static int config_error(struct loader *l, const char *path, const char *fmt,
                        ...) GMHOOK_PRINTF(3, 4);

static int config_error(struct loader *l, const char *path, const char *fmt,
                        ...)
{
	char message[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return gmhook__error_set(l->err, GMHOOK_ECONFIG, GMHOOK_STAGE_NONE,
	                         path, "%s: %s", l->file, message);
}

/* Every key of @p obj must be in @p allowed (NULL-terminated). */
static int check_keys(struct loader *l, json_object *obj, const char *base,
                      const char *const *allowed)
{
	char path[256];
	size_t i;

	json_object_object_foreach (obj, key, value) {
		(void) value;
		for (i = 0; allowed[i]; i++) {
			if (strcmp(allowed[i], key) == 0) {
				break;
			}
		}
		if (!allowed[i]) {
			snprintf(path, sizeof(path), "%s", base);
			gmhook__path_push(path, sizeof(path), key);
			return config_error(l, path, "unknown key '%s'", key);
		}
	}
	return 0;
}

static int get_string(struct loader *l, json_object *obj, const char *base,
                      const char *key, char **dst)
{
	json_object *v = NULL;
	char path[256];
	char *copy;

	if (!json_object_object_get_ex(obj, key, &v)) {
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", base, key);
	if (!json_object_is_type(v, json_type_string)) {
		return config_error(l, path, "must be a string");
	}
	copy = gmhook__strdup(json_object_get_string(v));
	if (!copy) {
		return config_error(l, path, "out of memory");
	}
	free(*dst);
	*dst = copy;
	return 0;
}

static int get_uint(struct loader *l, json_object *obj, const char *base,
                    const char *key, uint64_t max, uint64_t *out)
{
	json_object *v = NULL;
	char path[256];
	int64_t n;

	if (!json_object_object_get_ex(obj, key, &v)) {
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", base, key);
	n = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || n <= 0 ||
	    (uint64_t) n > max) {
		return config_error(l, path,
		                    "must be a whole number from 1 to %llu",
		                    (unsigned long long) max);
	}
	*out = (uint64_t) n;
	return 0;
}

static int get_bool(struct loader *l, json_object *obj, const char *base,
                    const char *key, bool *out)
{
	json_object *v = NULL;
	char path[256];

	if (!json_object_object_get_ex(obj, key, &v)) {
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", base, key);
	if (!json_object_is_type(v, json_type_boolean)) {
		return config_error(l, path, "must be true or false");
	}
	*out = json_object_get_boolean(v);
	return 0;
}

/* Read a secret file, without a trailing newline. */
static int read_secret_file(struct loader *l, const char *path_in_doc,
                            const char *file, unsigned char **out,
                            size_t *out_len)
{
	FILE *f = fopen(file, "rb");
	unsigned char *buf;
	size_t n;

	if (!f) {
		return config_error(l, path_in_doc,
		                    "cannot read secret file %s: %s", file,
		                    strerror(errno));
	}
	buf = malloc(SECRET_MAX_SIZE + 1);
	n = buf ? fread(buf, 1, SECRET_MAX_SIZE + 1, f) : 0;
	fclose(f);
	if (!buf || n > SECRET_MAX_SIZE) {
		free(buf);
		return config_error(l, path_in_doc,
		                    "secret file %s is larger than %d bytes",
		                    file, SECRET_MAX_SIZE);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
		n--;
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

/* "env:NAME", "file:/path" or (discouraged) the secret itself. */
static int resolve_secret(struct loader *l, const char *spec, const char *path,
                          struct gmhook__secret *sc)
{
	const char *value;

	if (strncmp(spec, "file:", 5) == 0) {
		return read_secret_file(l, path, spec + 5, &sc->key, &sc->len);
	}
	if (strncmp(spec, "env:", 4) == 0) {
		value = getenv(spec + 4);
		if (!value || !value[0]) {
			return config_error(
			        l, path, "environment variable %s is not set",
			        spec + 4);
		}
	} else {
		log_warn(
		        l->ctx,
		        "%s: %s holds a secret inline; prefer env:NAME or file:/path",
		        l->file, path);
		value = spec;
	}
	sc->key = (unsigned char *) gmhook__strdup(value);
	sc->len = strlen(value);
	return sc->key ? 0 : config_error(l, path, "out of memory");
}

/* "secret": one spec, or an array of up to four during a rotation. */
static int load_secrets(struct loader *l, json_object *obj, const char *base,
                        struct gmhook__source_config *sc)
{
	json_object *v = NULL;
	char path[160];
	size_t n;
	size_t i;
	int rc;

	if (!json_object_object_get_ex(obj, "secret", &v)) {
		return 0;
	}
	n = json_object_is_type(v, json_type_array)
	            ? json_object_array_length(v)
	            : 1;
	if (n == 0 || n > GMHOOK__MAX_SECRETS) {
		snprintf(path, sizeof(path), "%s/secret", base);
		return config_error(l, path, "must hold 1 to %d secrets",
		                    GMHOOK__MAX_SECRETS);
	}
	for (i = 0; i < n; i++) {
		json_object *e = json_object_is_type(v, json_type_array)
		                         ? json_object_array_get_idx(v, i)
		                         : v;

		snprintf(path, sizeof(path), "%s/secret%s", base,
		         json_object_is_type(v, json_type_array) ? "/N" : "");
		if (json_object_is_type(v, json_type_array)) {
			snprintf(path, sizeof(path), "%s/secret/%zu", base, i);
		}
		if (!json_object_is_type(e, json_type_string)) {
			return config_error(
			        l, path,
			        "must be a string such as \"env:NAME\" or \"file:/path\"");
		}
		rc = resolve_secret(l, json_object_get_string(e), path,
		                    &sc->secrets[i]);
		if (rc < 0) {
			return rc;
		}
		sc->n_secrets = i + 1;
	}
	sc->require_signature = true;
	return 0;
}

static void cleanse(struct gmhook__secret *s)
{
	if (s->key) {
		/* Do not leave the secret in freed heap memory. */
		OPENSSL_cleanse(s->key, s->len);
	}
	free(s->key);
	s->key = NULL;
}

/* "127.0.0.1:PORT" or "[::1]:PORT": nothing else may stand in for an
 * SNS host. */
static bool loopback_host_port(const char *s)
{
	const char *port = NULL;
	size_t digits;

	if (strncmp(s, "127.0.0.1:", 10) == 0) {
		port = s + 10;
	} else if (strncmp(s, "[::1]:", 6) == 0) {
		port = s + 6;
	}
	digits = port ? strspn(port, "0123456789") : 0;
	return digits > 0 && digits < 6 && !port[digits];
}

/* amazon_ses: confirm SNS subscriptions, only when the SNS signature is
 * checked with a certificate (a url_token says nothing of who sent the
 * SubscribeURL). */
static int load_confirm(struct loader *l, json_object *obj, const char *base,
                        struct gmhook__source_config *sc)
{
	char path[160];
	int rc;

	rc = get_bool(l, obj, base, "confirm_subscriptions",
	              &sc->confirm_subscriptions);
	if (rc == 0) {
		rc = get_string(l, obj, base, "confirm_ca_file",
		                &sc->confirm_ca_file);
	}
	if (rc == 0) {
		rc = get_string(l, obj, base, "confirm_test_host",
		                &sc->confirm_test_host);
	}
	snprintf(path, sizeof(path), "%s/confirm_test_host", base);
	if (rc == 0 && sc->confirm_test_host &&
	    !loopback_host_port(sc->confirm_test_host)) {
		return config_error(
		        l, path,
		        "must be \"127.0.0.1:PORT\" or \"[::1]:PORT\" (tests only)");
	}
	snprintf(path, sizeof(path), "%s/confirm_subscriptions", base);
	if (rc == 0 && sc->confirm_subscriptions &&
	    strcmp(sc->name, "amazon_ses") != 0) {
		return config_error(
		        l, path,
		        "only amazon_ses has subscriptions to confirm");
	}
	if (rc == 0 && sc->confirm_subscriptions &&
	    (!sc->public_key || sc->url_token.key)) {
		return config_error(
		        l, path,
		        "needs \"public_key\" (the SNS signing certificate) and no \"url_token\": only a subscription whose SNS signature was verified is confirmed");
	}
	return rc;
}

static int load_source(struct loader *l, const char *name, json_object *obj)
{
	static const char *const keys[] = {
		"enabled",         "secret",
		"tolerance",       "require_signature",
		"public_url",      "public_key",
		"url_token",       "confirm_subscriptions",
		"confirm_ca_file", "confirm_test_host",
		"mapping",         NULL
	};
	struct gmhook__source_config *sc;
	char base[128] = "/sources";
	char *secret = NULL;
	uint64_t tolerance = 0;
	int rc;

	gmhook__path_push(base, sizeof(base), name);
	if (!json_object_is_type(obj, json_type_object)) {
		return config_error(l, base, "must be an object");
	}
	if (!gmhook__source_find(name)) {
		return config_error(l, base,
		                    "unknown source '%s' (see gmhook sources)",
		                    name);
	}
	if (l->ctx->n_sources == GMHOOK__MAX_SOURCES) {
		return config_error(l, base, "too many sources");
	}
	sc = &l->ctx->sources[l->ctx->n_sources++];
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	sc->enabled = true;
	rc = check_keys(l, obj, base, keys);
	if (rc == 0) {
		rc = get_bool(l, obj, base, "enabled", &sc->enabled);
	}
	if (rc == 0) {
		rc = get_uint(l, obj, base, "tolerance", 86400 * 30,
		              &tolerance);
		sc->tolerance = (int64_t) tolerance;
	}
	if (rc == 0) {
		rc = get_string(l, obj, base, "public_url", &sc->public_url);
	}
	if (rc == 0) {
		rc = get_string(l, obj, base, "public_key", &sc->public_key);
	}
	if (rc == 0) {
		rc = load_secrets(l, obj, base, sc);
	}
	if (rc == 0) {
		rc = get_string(l, obj, base, "url_token", &secret);
	}
	if (rc == 0 && secret) {
		char path[160];

		snprintf(path, sizeof(path), "%s/url_token", base);
		rc = resolve_secret(l, secret, path, &sc->url_token);
		sc->require_signature = true;
	}
	free(secret);
	if (rc == 0) {
		rc = get_bool(l, obj, base, "require_signature",
		              &sc->require_signature);
	}
	return rc ? rc : load_confirm(l, obj, base, sc);
}

static int load_sources(struct loader *l, json_object *doc)
{
	json_object *sources = NULL;
	int rc;

	if (!json_object_object_get_ex(doc, "sources", &sources)) {
		return 0;
	}
	if (!json_object_is_type(sources, json_type_object)) {
		return config_error(l, "/sources", "must be an object");
	}
	json_object_object_foreach (sources, name, obj) {
		rc = load_source(l, name, obj);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

static int load_bounce(struct loader *l, json_object *defaults)
{
	json_object *v = NULL;
	const char *s;

	if (!json_object_object_get_ex(defaults, "bounce", &v)) {
		return 0;
	}
	s = json_object_get_string(v);
	if (!json_object_is_type(v, json_type_string) ||
	    (strcmp(s, "flag") != 0 && strcmp(s, "remove") != 0)) {
		return config_error(l, "/defaults/bounce",
		                    "must be \"flag\" or \"remove\"");
	}
	l->ctx->bounce_delete = strcmp(s, "remove") == 0;
	return 0;
}

/* The default country for E.164 numbers, as its calling code ("1",
 * "44", "+46"). */
static int load_phone_country(struct loader *l, json_object *defaults)
{
	json_object *v = NULL;
	const char *s;
	size_t n;

	if (!json_object_object_get_ex(defaults, "phone_country", &v)) {
		return 0;
	}
	s = json_object_get_string(v);
	s += s[0] == '+';
	n = strspn(s, "0123456789");
	if (!json_object_is_type(v, json_type_string) || n == 0 || n > 3 ||
	    s[n]) {
		return config_error(
		        l, "/defaults/phone_country",
		        "must be a calling code such as \"1\" or \"44\"");
	}
	snprintf(l->ctx->phone_country, sizeof(l->ctx->phone_country), "%s", s);
	return 0;
}

static int load_defaults(struct loader *l, json_object *doc)
{
	static const char *const keys[] = { "user",
		                            "owner",
		                            "source_label",
		                            "merge_codes",
		                            "timezone",
		                            "bounce",
		                            "phone_country",
		                            "cases",
		                            "sms_new_contacts",
		                            NULL };
	json_object *d = NULL;
	int rc;

	if (!json_object_object_get_ex(doc, "defaults", &d)) {
		return 0;
	}
	if (!json_object_is_type(d, json_type_object)) {
		return config_error(l, "/defaults", "must be an object");
	}
	rc = check_keys(l, d, "/defaults", keys);
	if (rc == 0) {
		rc = get_string(l, d, "/defaults", "user", &l->ctx->user);
	}
	if (rc == 0) {
		rc = get_string(l, d, "/defaults", "owner", &l->ctx->owner);
	}
	if (rc == 0) {
		rc = get_string(l, d, "/defaults", "source_label",
		                &l->ctx->source_label);
	}
	if (rc == 0) {
		rc = get_string(l, d, "/defaults", "merge_codes",
		                &l->ctx->merge_codes);
	}
	if (rc == 0) {
		rc = get_string(l, d, "/defaults", "timezone",
		                &l->ctx->timezone);
	}
	if (rc == 0) {
		rc = load_bounce(l, d);
	}
	if (rc == 0) {
		rc = load_phone_country(l, d);
	}
	if (rc == 0) {
		rc = get_bool(l, d, "/defaults", "cases", &l->ctx->use_cases);
	}
	if (rc == 0) {
		rc = get_bool(l, d, "/defaults", "sms_new_contacts",
		              &l->ctx->sms_new_contacts);
	}
	return rc;
}

static int get_u32(struct loader *l, json_object *limits, const char *key,
                   uint32_t max, uint32_t *field)
{
	uint64_t n = *field;
	int rc = get_uint(l, limits, "/limits", key, max, &n);

	*field = (uint32_t) n;
	return rc;
}

static int load_limits(struct loader *l, json_object *doc)
{
	static const char *const keys[] = {
		"max_body",      "max_depth", "max_fields", "max_events",
		"login_timeout", "overflow",  NULL
	};
	struct gmhook_options *o = l->opts;
	json_object *d = NULL;
	json_object *v = NULL;
	uint64_t n;
	int rc;

	if (!json_object_object_get_ex(doc, "limits", &d)) {
		return 0;
	}
	if (!json_object_is_type(d, json_type_object)) {
		return config_error(l, "/limits", "must be an object");
	}
	rc = check_keys(l, d, "/limits", keys);
	if (rc == 0) {
		rc = get_u32(l, d, "max_depth", 10000, &o->max_depth);
	}
	if (rc == 0) {
		rc = get_u32(l, d, "max_fields", 10000000, &o->max_fields);
	}
	if (rc == 0) {
		rc = get_u32(l, d, "max_events", 1000000, &o->max_events);
	}
	if (rc == 0) {
		rc = get_u32(l, d, "login_timeout", 3600, &o->login_timeout);
	}
	n = o->max_body;
	if (rc == 0) {
		rc = get_uint(l, d, "/limits", "max_body", 1ULL << 31, &n);
		o->max_body = n;
	}
	if (rc == 0 && json_object_object_get_ex(d, "overflow", &v)) {
		const char *s = json_object_get_string(v);

		if (gmhook__str_ieq(s, "truncate")) {
			o->overflow = GMHOOK_OVERFLOW_TRUNCATE;
		} else if (gmhook__str_ieq(s, "reject")) {
			o->overflow = GMHOOK_OVERFLOW_REJECT;
		} else {
			rc = config_error(l, "/limits/overflow",
			                  "must be \"truncate\" or \"reject\"");
		}
	}
	return rc;
}

static int load_spool(struct loader *l, json_object *doc)
{
	static const char *const keys[] = { "dir", NULL };
	json_object *d = NULL;
	int rc;

	if (!json_object_object_get_ex(doc, "spool", &d)) {
		return 0;
	}
	if (!json_object_is_type(d, json_type_object)) {
		return config_error(l, "/spool", "must be an object");
	}
	rc = check_keys(l, d, "/spool", keys);
	return rc ? rc : get_string(l, d, "/spool", "dir", &l->ctx->spool_dir);
}

/* A file name from the configuration: relative names are taken from the
 * configuration file's directory. */
static void config_relative(const struct loader *l, const char *name,
                            char *file, size_t size)
{
	const char *slash = strrchr(l->file, '/');

	if (name[0] == '/' || !slash) {
		snprintf(file, size, "%s", name);
	} else {
		snprintf(file, size, "%.*s/%s", (int) (slash - l->file),
		         l->file, name);
	}
}

/* "sources": {NAME: {"mapping": FILE}}: the source's own rules, checked
 * before the files of "mappings". */
static int load_source_mappings(struct loader *l, json_object *doc)
{
	json_object *sources = NULL;
	json_object *v = NULL;
	char path[160];
	char file[4096];
	int rc;

	if (!json_object_object_get_ex(doc, "sources", &sources)) {
		return 0;
	}
	json_object_object_foreach (sources, name, obj) {
		if (!json_object_object_get_ex(obj, "mapping", &v)) {
			continue;
		}
		snprintf(path, sizeof(path), "/sources");
		gmhook__path_push(path, sizeof(path), name);
		gmhook__path_push(path, sizeof(path), "mapping");
		if (!json_object_is_type(v, json_type_string) ||
		    !json_object_get_string(v)[0]) {
			return config_error(l, path, "must be a file name");
		}
		config_relative(l, json_object_get_string(v), file,
		                sizeof(file));
		rc = gmhook__mappings_load(l->ctx, file, name, l->err);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

/* "builtin_mappings": a directory holding every built-in mapping file,
 * used instead of the copies compiled into the library; all of them are
 * loaded and checked now. */
static int load_builtin_dir(struct loader *l, json_object *doc)
{
	json_object *v = NULL;
	char dir[4096];

	if (!json_object_object_get_ex(doc, "builtin_mappings", &v)) {
		return 0;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    !json_object_get_string(v)[0]) {
		return config_error(l, "/builtin_mappings",
		                    "must be a directory name");
	}
	config_relative(l, json_object_get_string(v), dir, sizeof(dir));
	free(l->ctx->builtin_dir);
	l->ctx->builtin_dir = gmhook__strdup(dir);
	if (!l->ctx->builtin_dir) {
		return config_error(l, "/builtin_mappings", "out of memory");
	}
	return gmhook__builtin(l->ctx, NULL, l->err) ? 0 : -1;
}

/* "mappings": files of site rules, relative paths taken from the
 * configuration file's directory. */
static int load_mappings(struct loader *l, json_object *doc)
{
	json_object *list = NULL;
	char path[64];
	char file[4096];
	size_t i;
	int rc;

	if (!json_object_object_get_ex(doc, "mappings", &list)) {
		return 0;
	}
	if (!json_object_is_type(list, json_type_array)) {
		return config_error(l, "/mappings",
		                    "must be an array of file names");
	}
	for (i = 0; i < json_object_array_length(list); i++) {
		json_object *v = json_object_array_get_idx(list, i);
		const char *name = json_object_get_string(v);

		snprintf(path, sizeof(path), "/mappings/%zu", i);
		if (!json_object_is_type(v, json_type_string) || !name[0]) {
			return config_error(l, path, "must be a file name");
		}
		config_relative(l, name, file, sizeof(file));
		rc = gmhook__mappings_load(l->ctx, file, NULL, l->err);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

/* "https://user:pass@host/..." */
static bool url_has_credentials(const char *url)
{
	const char *host = strstr(url, "://");
	size_t n;

	host = host ? host + 3 : url;
	n = strcspn(host, "/?#");
	return memchr(host, '@', n) != NULL;
}

static bool printable(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f) {
			return false;
		}
	}
	return true;
}

static int load_rest_fields(struct loader *l, json_object *d,
                            struct gmhook__rest_config *r)
{
	uint64_t n;
	char *key = NULL;
	int rc;

	rc = get_string(l, d, "/rest", "url", &r->url);
	if (rc == 0 && !r->url) {
		rc = config_error(l, "/rest/url", "is required");
	}
	if (rc == 0) {
		rc = get_string(l, d, "/rest", "auth", &r->auth);
	}
	if (rc == 0 && r->auth && strcmp(r->auth, "apikey") != 0 &&
	    strcmp(r->auth, "basic") != 0) {
		rc = config_error(l, "/rest/auth",
		                  "must be \"apikey\" or \"basic\"");
	}
	if (rc == 0) {
		rc = get_string(l, d, "/rest", "api_key_header",
		                &r->api_key_header);
	}
	if (rc == 0) {
		rc = get_string(l, d, "/rest", "user", &r->user);
	}
	if (rc == 0) {
		rc = get_string(l, d, "/rest", "ca_file", &r->ca_file);
	}
	if (rc == 0) {
		rc = get_bool(l, d, "/rest", "insecure", &r->insecure);
	}
	if (rc == 0) {
		rc = get_string(l, d, "/rest", "key", &key);
	}
	if (rc == 0 && key) {
		rc = resolve_secret(l, key, "/rest/key", &r->key);
	}
	free(key);
	n = r->connect_timeout;
	if (rc == 0) {
		rc = get_uint(l, d, "/rest", "connect_timeout", 600, &n);
		r->connect_timeout = (uint32_t) n;
	}
	n = r->timeout;
	if (rc == 0) {
		rc = get_uint(l, d, "/rest", "timeout", 3600, &n);
		r->timeout = (uint32_t) n;
	}
	n = r->retries;
	if (rc == 0) {
		rc = get_uint(l, d, "/rest", "retries", 20, &n);
		r->retries = (uint32_t) n;
	}
	if (rc == 0 && url_has_credentials(r->url)) {
		rc = config_error(
		        l, "/rest/url",
		        "must not carry credentials; use \"user\" and \"key\"");
	}
	if (rc == 0 && r->key.key && !printable(r->key.key, r->key.len)) {
		rc = config_error(
		        l, "/rest/key",
		        "must be printable text (it is sent in a header)");
	}
	if (rc == 0 && !r->insecure && strncmp(r->url, "https://", 8) != 0) {
		rc = config_error(
		        l, "/rest/url",
		        "must be https:// (set \"insecure\": true to allow http)");
	}
	return rc;
}

/*
 * The REST backend's CA file, checked at load rather than at the first
 * event: it must be readable, and a relative name is taken from the
 * configuration file's directory, as for mappings.
 */
static int check_rest_ca_file(struct loader *l, struct gmhook__rest_config *r)
{
	const char *slash = strrchr(l->file, '/');
	struct gmhook__buf b = { 0 };
	char *full;
	FILE *f;

	if (r->ca_file && r->ca_file[0] != '/' && slash) {
		gmhook__buf_addf(&b, "%.*s/%s", (int) (slash - l->file),
		                 l->file, r->ca_file);
		full = gmhook__buf_steal(&b);
		if (!full) {
			return config_error(l, "/rest/ca_file",
			                    "out of memory");
		}
		free(r->ca_file);
		r->ca_file = full;
	}
	if (r->ca_file) {
		f = fopen(r->ca_file, "r");
		if (!f) {
			return config_error(l, "/rest/ca_file",
			                    "cannot read %s: %s", r->ca_file,
			                    strerror(errno));
		}
		fclose(f);
	}
	return 0;
}

/* "rest": the REST backend; the plan goes to a GoldMine REST API. */
static int load_rest(struct loader *l, json_object *doc)
{
	static const char *const keys[] = {
		"url",     "auth",     "api_key_header",  "key",     "user",
		"ca_file", "insecure", "connect_timeout", "timeout", "retries",
		NULL
	};
	json_object *d = NULL;
	int rc;

	if (!json_object_object_get_ex(doc, "rest", &d)) {
		return 0;
	}
	if (!json_object_is_type(d, json_type_object)) {
		return config_error(l, "/rest", "must be an object");
	}
	rc = check_keys(l, d, "/rest", keys);
	if (rc < 0) {
		return rc;
	}
	l->ctx->rest = calloc(1, sizeof(*l->ctx->rest));
	if (!l->ctx->rest) {
		return config_error(l, "/rest", "out of memory");
	}
	l->ctx->rest->connect_timeout = 10;
	l->ctx->rest->timeout = 30;
	l->ctx->rest->retries = 3;
	rc = load_rest_fields(l, d, l->ctx->rest);
	return rc ? rc : check_rest_ca_file(l, l->ctx->rest);
}

/* An address ("192.0.2.7", "2001:db8::1") or a network ("10.0.0.0/8",
 * "fd00::/8"). */
static bool parse_net(struct gmhook__proxy_net *net, const char *s)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN];
	size_t len = slash ? (size_t) (slash - s) : strlen(s);
	unsigned long bits;
	char *end;

	if (len == 0 || len >= sizeof(addr)) {
		return false;
	}
	memcpy(addr, s, len);
	addr[len] = '\0';
	net->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(net->family, addr, net->addr) != 1) {
		return false;
	}
	net->prefix_len = net->family == AF_INET6 ? 128 : 32;
	if (!slash) {
		return true;
	}
	errno = 0;
	bits = strtoul(slash + 1, &end, 10);
	if (!slash[1] || *end || errno || slash[1] == '-' || slash[1] == '+' ||
	    bits > net->prefix_len) {
		return false;
	}
	net->prefix_len = (unsigned int) bits;
	return true;
}

/* "trust_proxy": true, false, or a list of addresses and networks. */
static int load_trust_proxy(struct loader *l, json_object *http)
{
	struct gmhook__trust_proxy *t = &l->ctx->trust_proxy;
	json_object *v = NULL;
	char path[64];
	size_t i;

	if (!json_object_object_get_ex(http, "trust_proxy", &v)) {
		return 0;
	}
	if (json_object_is_type(v, json_type_boolean)) {
		t->any = json_object_get_boolean(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) > GMHOOK__MAX_PROXIES) {
		return config_error(
		        l, "/http/trust_proxy",
		        "must be true, false or a list of up to %d addresses or networks",
		        GMHOOK__MAX_PROXIES);
	}
	for (i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);

		snprintf(path, sizeof(path), "/http/trust_proxy/%zu", i);
		if (!json_object_is_type(e, json_type_string) ||
		    !parse_net(&t->nets[i], json_object_get_string(e))) {
			return config_error(
			        l, path,
			        "must be an IP address or network, such as \"127.0.0.1\" or \"10.0.0.0/8\"");
		}
		t->n_nets = i + 1;
	}
	return 0;
}

/* "http": settings of the HTTP front door (gmhook cgi, gmhook fastcgi). */
static int load_http(struct loader *l, json_object *doc)
{
	static const char *const keys[] = { "trust_proxy", NULL };
	json_object *d = NULL;
	int rc;

	if (!json_object_object_get_ex(doc, "http", &d)) {
		return 0;
	}
	if (!json_object_is_type(d, json_type_object)) {
		return config_error(l, "/http", "must be an object");
	}
	rc = check_keys(l, d, "/http", keys);
	return rc ? rc : load_trust_proxy(l, d);
}

static int read_file(struct loader *l, char **out, size_t *len)
{
	FILE *f = fopen(l->file, "rb");
	char *buf;

	if (!f) {
		return config_error(l, "", "cannot open: %s", strerror(errno));
	}
	buf = malloc(CONFIG_MAX_SIZE + 1);
	*len = buf ? fread(buf, 1, CONFIG_MAX_SIZE + 1, f) : 0;
	fclose(f);
	if (!buf || *len > CONFIG_MAX_SIZE) {
		free(buf);
		return config_error(l, "", "larger than %d bytes",
		                    CONFIG_MAX_SIZE);
	}
	buf[*len] = '\0';
	*out = buf;
	return 0;
}

static int parse_document(struct loader *l, json_object **out)
{
	static const char *const keys[] = {
		"database", "defaults",         "limits", "spool", "sources",
		"mappings", "builtin_mappings", "rest",   "http",  NULL
	};
	struct json_tokener *tok = json_tokener_new_ex(64);
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (tok) {
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	}
	rc = tok ? read_file(l, &text, &len)
	         : config_error(l, "", "out of memory");
	if (rc == 0) {
		*out = json_tokener_parse_ex(tok, text, (int) len);
		if (!*out || !json_object_is_type(*out, json_type_object)) {
			rc = config_error(l, "",
			                  "not a JSON object (byte %zu: %s)",
			                  json_tokener_get_parse_end(tok),
			                  json_tokener_error_desc(
			                          json_tokener_get_error(tok)));
		}
	}
	if (rc == 0) {
		rc = check_keys(l, *out, "", keys);
	}
	free(text);
	json_tokener_free(tok);
	return rc;
}

int gmhook__config_load(struct gmhook_ctx *ctx, struct gmhook_options *opts,
                        const char *path, struct gmhook_error *err)
{
	struct loader l = { ctx, opts, path, err };
	json_object *doc = NULL;
	int rc;

	rc = parse_document(&l, &doc);
	if (rc == 0) {
		rc = get_string(&l, doc, "", "database", &ctx->db_string);
	}
	if (rc == 0) {
		rc = load_defaults(&l, doc);
	}
	if (rc == 0) {
		rc = load_limits(&l, doc);
	}
	if (rc == 0) {
		rc = load_spool(&l, doc);
	}
	if (rc == 0) {
		rc = load_sources(&l, doc);
	}
	if (rc == 0) {
		rc = load_source_mappings(&l, doc);
	}
	if (rc == 0) {
		rc = load_mappings(&l, doc);
	}
	if (rc == 0) {
		rc = load_builtin_dir(&l, doc);
	}
	if (rc == 0) {
		rc = load_rest(&l, doc);
	}
	if (rc == 0) {
		rc = load_http(&l, doc);
	}
	json_object_put(doc);
	return rc;
}

void gmhook__config_free(struct gmhook_ctx *ctx)
{
	size_t i;
	size_t k;

	for (i = 0; i < ctx->n_sources; i++) {
		for (k = 0; k < ctx->sources[i].n_secrets; k++) {
			cleanse(&ctx->sources[i].secrets[k]);
		}
		cleanse(&ctx->sources[i].url_token);
		free(ctx->sources[i].public_url);
		free(ctx->sources[i].public_key);
		free(ctx->sources[i].confirm_ca_file);
		free(ctx->sources[i].confirm_test_host);
	}
	ctx->n_sources = 0;
	memset(&ctx->trust_proxy, 0, sizeof(ctx->trust_proxy));
	gmhook__rest_config_free(ctx->rest);
	ctx->rest = NULL;
	free(ctx->timezone);
	free(ctx->spool_dir);
}

const struct gmhook__source_config *
gmhook__source_config(const struct gmhook_ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; ctx && i < ctx->n_sources; i++) {
		if (strcmp(ctx->sources[i].name, name) == 0) {
			return &ctx->sources[i];
		}
	}
	return NULL;
}

GMHOOK_API const char *gmhook_ctx_timezone(const struct gmhook_ctx *ctx)
{
	return ctx && ctx->timezone ? ctx->timezone : "";
}

GMHOOK_API const char *gmhook_ctx_spool_dir(const struct gmhook_ctx *ctx)
{
	return ctx && ctx->spool_dir ? ctx->spool_dir : "";
}

static bool net_contains(const struct gmhook__proxy_net *net, int family,
                         const unsigned char *addr)
{
	unsigned int full = net->prefix_len / 8;
	unsigned int rest = net->prefix_len % 8;
	unsigned char mask = (unsigned char) (0xff << (8 - rest));

	if (net->family != family || memcmp(net->addr, addr, full) != 0) {
		return false;
	}
	return rest == 0 || ((net->addr[full] ^ addr[full]) & mask) == 0;
}

GMHOOK_API int gmhook_ctx_trusts_proxy(const struct gmhook_ctx *ctx,
                                       const char *peer)
{
	static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0,    0,
		                                     0, 0, 0, 0, 0xff, 0xff };
	unsigned char addr[16];
	int family;
	size_t i;

	if (!ctx) {
		return 0;
	}
	if (ctx->trust_proxy.any) {
		return 1;
	}
	if (!peer) {
		return 0;
	}
	family = strchr(peer, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, peer, addr) != 1) {
		return 0;
	}
	/* A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d. */
	if (family == AF_INET6 && memcmp(addr, v4_mapped, 12) == 0) {
		memmove(addr, addr + 12, 4);
		family = AF_INET;
	}
	for (i = 0; i < ctx->trust_proxy.n_nets; i++) {
		if (net_contains(&ctx->trust_proxy.nets[i], family, addr)) {
			return 1;
		}
	}
	return 0;
}
