/* SPDX-License-Identifier: MIT */
/*
 * Internal definitions shared by the files of libgmhook: the structures
 * behind the public handles, the source-module interface, the form and
 * multipart decoders, the database layer and the small helpers. Nothing
 * here is API; names with a gmhook__ prefix are hidden from the shared
 * object and reachable only by the unit tests, which link the static core.
 */
#ifndef GMHOOK_PRIVATE_H
#define GMHOOK_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "gmhook/gmhook.h"

#define GMHOOK_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ==== Context, errors, logging ==== */

struct gmhook__db;
struct gmhook__mappings;

/* The sizes of the columns gmhook writes, read from the database's
 * catalog once per connection (commit.c). SQL Server allows at most 1024
 * columns in a table that is not a wide table, and GoldMine sites add
 * CONTACT2 fields by the hundred. */
#define GMHOOK__LIVE_COLUMNS 1024

struct gmhook__live_table {
	size_t n;

	struct {
		char name[32]; /* upper case */
		long size;     /* characters; 0: not a character column */
	} cols[GMHOOK__LIVE_COLUMNS];
};

struct gmhook__live_schema {
	const struct gmhook__db *db; /* the connection it was read from */
	struct gmhook__live_table contact1;
	struct gmhook__live_table contact2;
	struct gmhook__live_table contsupp;
	struct gmhook__live_table conthist;
	struct gmhook__live_table cal;
	struct gmhook__live_table notes;
	struct gmhook__live_table cases;
};

/* A secret read from the configuration; never logged. */
struct gmhook__secret {
	unsigned char *key;
	size_t len;
};

/* The REST backend's settings ("rest" in the configuration file). When
 * present, gmhook_commit() sends plans there instead of using ODBC. */
struct gmhook__rest_config {
	char *url;            /* base URL, https:// unless insecure is set */
	char *auth;           /* "apikey" or "basic" */
	char *api_key_header; /* header for the API key, "X-API-Key" */
	struct gmhook__secret key; /* API key or Basic password; never logged */
	char *user;                /* Basic user name */
	char *ca_file;             /* extra CA bundle, or NULL */
	bool insecure;             /* allow http:// and skip TLS verification */
	uint32_t connect_timeout;  /* seconds, default 10 */
	uint32_t timeout; /* seconds for the whole request, default 30 */
	uint32_t retries; /* attempts after the first, default 3 */
};

#define GMHOOK__MAX_SECRETS 4

/* Per-source settings from the configuration file. */
struct gmhook__source_config {
	char name[32];
	bool enabled;
	bool require_signature; /* refuse deliveries without a signature */
	/* Secrets, several during a rotation; any one may match. Never
	 * logged. secrets[0] is the current one. */
	struct gmhook__secret secrets[GMHOOK__MAX_SECRETS];
	size_t n_secrets;
	/* An ECDSA public key (PEM), for senders that sign with one. */
	char *public_key;
	/* For providers that sign nothing: a token required in the URL query
	 * (?token=...) or as the HTTP Basic password. Never logged. */
	struct gmhook__secret url_token;
	int64_t tolerance; /* seconds a signed timestamp may be off */
	char *public_url;  /* URL the provider signs (Twilio, Square) */
	/* amazon_ses: GET the SubscribeURL of a verified SNS
	 * SubscriptionConfirmation (confirm_subscriptions). */
	bool confirm_subscriptions;
	char *confirm_ca_file; /* extra CA bundle for that GET, or NULL */
	/* Tests only: a loopback "127.0.0.1:PORT" or "[::1]:PORT" that a
	 * SubscribeURL may name instead of sns.<region>.amazonaws.com. */
	char *confirm_test_host;
};

/* The peers whose X-Forwarded-Proto and X-Forwarded-Host the HTTP front
 * door believes ("http"."trust_proxy" in the configuration). */
#define GMHOOK__MAX_PROXIES 32

struct gmhook__proxy_net {
	int family;              /* AF_INET or AF_INET6 */
	unsigned char addr[16];  /* network byte order */
	unsigned int prefix_len; /* bits of addr that must match */
};

struct gmhook__trust_proxy {
	bool any; /* "trust_proxy": true */
	struct gmhook__proxy_net nets[GMHOOK__MAX_PROXIES];
	size_t n_nets;
};

#define GMHOOK__MAX_SOURCES 48

struct gmhook_ctx {
	struct gmhook_options opts; /* strings point into the copies below */
	char *db_string;
	char *user;
	char *owner;
	char *source_label;
	char *merge_codes;
	gmhook_log_fn log_fn;
	int log_level;
	void *log_userdata;
	struct json_tokener *tok; /* parse's JSON tokener, made on first use */
	struct gmhook__db *db;    /* NULL until a call needs the database */
	bool db_lost;      /* a rollback failed: commit reconnects before use */
	int64_t fixed_now; /* tests: non-zero replaces time(NULL) */
	/* While mapping: when the delivery was received, so that an event
	 * without a time of its own maps the same on arrival, in a replay
	 * and when drained from the spool later. */
	int64_t map_now;
	char *timezone;
	char *spool_dir;
	bool bounce_delete;    /* hard bounces delete the e-mail row */
	char phone_country[4]; /* default calling code for E.164, "1" */
	bool use_cases;        /* tickets open CASES (else a CAL to-do) */
	bool sms_new_contacts; /* an SMS from an unknown number adds one */
	struct gmhook__mappings *mappings; /* site mapping rules, or NULL */
	struct gmhook__mappings *builtin;  /* built-in rules, loaded once */
	uint64_t builtin_loaded; /* bit i: gmhook__builtin_files[i] loaded */
	char *builtin_dir;       /* "builtin_mappings": load them from here */
	struct gmhook__rest_config *rest; /* REST backend, or NULL: ODBC */
	struct gmhook__live_schema *live; /* catalog sizes, or NULL */
	struct gmhook__trust_proxy trust_proxy;
	struct gmhook__source_config sources[GMHOOK__MAX_SOURCES];
	size_t n_sources;
};

/* config.c: read a configuration file into @p opts (strings owned by
 * @p ctx) and ctx's source settings. Errors are GMHOOK_ECONFIG naming the
 * file and the JSON pointer of the key at fault. */
int gmhook__config_load(struct gmhook_ctx *ctx, struct gmhook_options *opts,
                        const char *path, struct gmhook_error *err);
void gmhook__config_free(struct gmhook_ctx *ctx);

/* The settings of source @p name, or NULL when the file names none. */
const struct gmhook__source_config *
gmhook__source_config(const struct gmhook_ctx *ctx, const char *name);

int gmhook__error_set(struct gmhook_error *err, int code, int stage,
                      const char *path, const char *fmt, ...)
        GMHOOK_PRINTF(5, 6);

void gmhook__log(struct gmhook_ctx *ctx, int level, const char *fmt, ...)
        GMHOOK_PRINTF(3, 4);

#define log_error(ctx, ...) gmhook__log((ctx), GMHOOK_LOG_ERROR, __VA_ARGS__)
#define log_warn(ctx, ...)  gmhook__log((ctx), GMHOOK_LOG_WARN, __VA_ARGS__)
#define log_info(ctx, ...)  gmhook__log((ctx), GMHOOK_LOG_INFO, __VA_ARGS__)
#define log_debug(ctx, ...) gmhook__log((ctx), GMHOOK_LOG_DEBUG, __VA_ARGS__)

/* The current time, Unix seconds (ctx->fixed_now when set). */
int64_t gmhook__now(const struct gmhook_ctx *ctx);

/* ==== JSON pointers (RFC 6901) ==== */

/*
 * Append one reference token to the pointer in @p buf (size @p size),
 * escaping '~' as "~0" and '/' as "~1". A pointer that would not fit is
 * cut at a token boundary and ends in "/..."; returns false then.
 */
bool gmhook__path_push(char *buf, size_t size, const char *token);
bool gmhook__path_push_index(char *buf, size_t size, size_t index);

/* Join @p prefix and @p suffix pointers into @p buf. */
void gmhook__path_join(char *buf, size_t size, const char *prefix,
                       const char *suffix);

/* ==== Growable string ==== */

struct gmhook__buf {
	char *data; /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
	bool failed; /* an allocation failed; data is unchanged since */
};

void gmhook__buf_add(struct gmhook__buf *b, const char *s, size_t n);
void gmhook__buf_adds(struct gmhook__buf *b, const char *s);
void gmhook__buf_addf(struct gmhook__buf *b, const char *fmt, ...)
        GMHOOK_PRINTF(2, 3);
void gmhook__buf_addc(struct gmhook__buf *b, char c);
/* Hand the string to the caller (free()); the buffer becomes empty. */
char *gmhook__buf_steal(struct gmhook__buf *b);
void gmhook__buf_free(struct gmhook__buf *b);

/* ==== Text and time helpers (util.c) ==== */

/* Byte offset of the first invalid UTF-8 sequence, or -1 when valid. */
long gmhook__utf8_invalid_at(const char *s, size_t len);

/* Length of the longest prefix of @p s of at most @p max characters
 * (code points) that ends on a character boundary, in bytes. */
size_t gmhook__utf8_prefix(const char *s, size_t max_chars);
size_t gmhook__utf8_chars(const char *s);

/* A plausible single e-mail address (RFC 5321 size limits, one '@',
 * a dotted domain, no spaces or controls). */
bool gmhook__email_valid(const char *s);

/* Parse an ISO 8601 / RFC 3339 date-time with optional fraction and zone
 * ("2023-07-25T16:30:00.000000Z", "2018-02-01T10:15:00+00:00"). No zone
 * means UTC. Returns false on any other shape or an impossible date. */
bool gmhook__time_parse(const char *s, int64_t *out);

/* Format @p t as "YYYY-MM-DDTHH:MM:SSZ" into @p buf (at least 21 bytes). */
void gmhook__time_format_utc(int64_t t, char *buf, size_t size);

/* Break @p t into the GoldMine server's local time (the process's TZ). */
void gmhook__time_local(int64_t t, struct tm *out);

char *gmhook__strdup(const char *s);
bool gmhook__str_ieq(const char *a, const char *b);
void gmhook__str_upper(char *s);

/* Lower-case hex SHA-256 of @p data into @p hex (65 bytes). */
void gmhook__sha256_hex(const void *data, size_t len, char hex[65]);

/* base64 (standard alphabet, padded); caller frees. NULL on ENOMEM. */
char *gmhook__base64_encode(const void *data, size_t len);
/* Decode base64; *out malloc'd (caller frees). false on bad input. */
bool gmhook__base64_decode(const char *s, unsigned char **out, size_t *out_len);

/* ==== Signatures (signature.c) ==== */

enum gmhook__digest {
	GMHOOK__SHA1 = 1,
	GMHOOK__SHA256 = 2,
};

/* HMAC of the concatenation of @p n parts into @p out (at least 64
 * bytes); returns the MAC length, or 0 on failure. */
size_t gmhook__hmac(int digest, const void *key, size_t key_len,
                    const void *const *parts, const size_t *part_lens, size_t n,
                    unsigned char *out);

/* Constant-time comparison of a computed MAC with a received one given as
 * lower- or upper-case hex (@p hex) or base64 (@p b64). */
bool gmhook__mac_equal_hex(const unsigned char *mac, size_t mac_len,
                           const char *hex, size_t hex_len);
bool gmhook__mac_equal_base64(const unsigned char *mac, size_t mac_len,
                              const char *b64, size_t b64_len);

/* A header of the event's delivery (case-insensitive); NULL if absent. */
const char *gmhook__event_header(const struct gmhook_event *event,
                                 const char *name);

/* The time the delivery was received, Unix seconds. */
int64_t gmhook__event_received(const struct gmhook_event *event);

/*
 * For providers without signatures: the delivery must carry the source's
 * url_token as the "token" query parameter of the request URL (header
 * X-Gmhook-Url, set by the CGI front end) or as the password of an
 * "Authorization: Basic" header. Compared in constant time.
 */
int gmhook__verify_url_token(struct gmhook_ctx *ctx,
                             const struct gmhook_event *event,
                             const struct gmhook__source_config *cfg,
                             struct gmhook_error *err);

/* Common refusals: no secret configured but one is required, missing
 * header, mismatch, timestamp outside the window. All GMHOOK_ESIGNATURE
 * at stage validate; messages never contain the secret or the MAC. */
int gmhook__signature_fail(struct gmhook_error *err, const char *header,
                           const char *why);

/* ==== GoldMine identifiers (ids.c) ==== */

/* A new 20-character ACCOUNTNO for a contact named @p name at time @p t:
 * date with the decade as a letter, seconds since midnight, 6 random
 * characters, the first 3 characters of the name. @p out has 21 bytes. */
void gmhook__accountno(char out[21], int64_t t, const char *name);

/* A new 15-character RECID: time-ordered head, random tail, no quotes.
 * @p out has 16 bytes. */
void gmhook__recid(char out[16], int64_t t);

/* ==== Decoders (form.c, multipart.c) ==== */

struct gmhook__limits {
	uint32_t max_depth;
	uint32_t max_fields;
};

/*
 * Decode an application/x-www-form-urlencoded body into a new JSON object.
 * '+' is a space, %XX a byte; a bad escape is an error with its byte
 * offset. Keys follow the PHP/qs conventions: a repeated plain key becomes
 * an array of its values in order; "a[]" appends to array "a"; "a[b][c]"
 * nests objects; "a[0]" is a key "0" of object "a". Values are strings.
 * Decoded keys and values must be valid UTF-8 (EPARSE, naming the key).
 * Errors: GMHOOK_EPARSE (path "" and the byte offset in the message),
 * GMHOOK_ETOOBIG (depth or field count), GMHOOK_ENOMEM.
 */
int gmhook__form_decode(json_object **out, const char *body, size_t len,
                        const struct gmhook__limits *limits,
                        struct gmhook_error *err);

/*
 * Decode a multipart/form-data body (RFC 7578) with @p boundary into a new
 * JSON object built like gmhook__form_decode() from the part names (so
 * "a[]" and "a[b]" names nest the same way). Text parts give their value
 * as a string; a part with a filename gives an object {"filename": ...,
 * "content_type": ..., "size": N} and its bytes are not kept. CRLF and bare
 * LF line ends are both accepted. Errors as gmhook__form_decode(), with
 * the byte offset of the fault in the message.
 */
int gmhook__multipart_decode(json_object **out, const char *body, size_t len,
                             const char *boundary,
                             const struct gmhook__limits *limits,
                             struct gmhook_error *err);

/* ==== Events, plans, results ==== */

enum gmhook__format {
	GMHOOK__FORMAT_JSON = 1,
	GMHOOK__FORMAT_FORM = 2,
	GMHOOK__FORMAT_MULTIPART = 3,
};

/*
 * The JSON form of an event is its whole state:
 * {"gmhook": "event", "version": 1, "source": ..., "format": "json",
 *  "content_type": ..., "received": "...Z", "headers": [[name, value]...],
 *  "raw": base64 of the body (null until gmhook_event_to_json() fills it
 *  in), "body": decoded body,
 *  "events": [{"type", "id", "time", "pointer", "data"}...]}
 * where "pointer" locates the event's data inside "body" ("" or "/3") and
 * "data" is a reference to that part of "body" (shared, not copied).
 */
struct gmhook_event {
	json_object *doc;
	unsigned char *raw; /* the body as received */
	size_t raw_len;
	bool validated;
};

/*
 * {"gmhook": "plan", "version": 1, "source": ..., "events": [{"type", "id",
 *  "time", "status": "ok"|"ignored", "warnings": [...], "actions": [...]}]}
 */
struct gmhook_plan {
	json_object *doc;
	/* Made by gmhook_map() from an event whose signature was verified
	 * in this process; never true for a plan read from JSON. */
	bool signature_verified;
};

/*
 * {"gmhook": "result", "version": 1, "status": ..., "accountno": ...,
 *  "events": [{"type", "id", "status", "accountno", "records": [...],
 *  "warnings": [...], "sql": [...] (dry run)}]}
 */
struct gmhook_result {
	json_object *doc;
};

/* A delivery as the source modules see it during parse. */
struct gmhook__delivery {
	const struct gmhook_request *req;
	int format;             /* enum gmhook__format */
	const char *media_type; /* lower case, parameters removed */
	json_object *body;      /* decoded body (borrowed) */
};

/* Case-insensitive header lookup; NULL when absent. */
const char *gmhook__header(const struct gmhook_request *req, const char *name);

/* Look up a JSON pointer in @p root; NULL when absent. Borrowed. */
json_object *gmhook__get(json_object *root, const char *pointer);

/* The string at @p pointer, or NULL when absent, null or not a string. */
const char *gmhook__get_str(json_object *root, const char *pointer);

/* ==== Sources ==== */

/* One event of a delivery while a source module works on it. */
struct gmhook__item {
	json_object *data;   /* the event's part of the body (borrowed) */
	const char *pointer; /* where @data sits in the body: "" or "/3" */
	json_object *meta;   /* the event's entry in the event doc */
	/* The source's record: the values its built-in mapping file reads
	 * ({"record": "/email"}), with "_from" naming the pointer each was
	 * read at; NULL for sources whose mapping is still C code. */
	json_object *record;
	const char *label; /* the source's SOURCE label, e.g. "Calendly" */
};

struct gmhook__plan_builder;

struct gmhook__source {
	const char *name;
	const char *description;
	/* the signature scheme, and the default actions, for humans */
	const char *signature;
	const char *actions;
	/* default CONTACT1.SOURCE label, at most 20 characters */
	const char *label;
	/* 0: not this source .. 100: certain (a provider header) */
	int (*detect)(const struct gmhook__delivery *d);
	/* Set "type", "id" and "time" in item->meta. */
	int (*extract)(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
	               struct gmhook__item *item, struct gmhook_error *err);
	/* Check the delivery's signature with @p cfg's secret; NULL when the
	 * provider signs nothing. Runs once per delivery, before anything
	 * else in validate. */
	int (*verify)(struct gmhook_ctx *ctx, const struct gmhook_event *event,
	              const struct gmhook__source_config *cfg,
	              struct gmhook_error *err);
	/* Check required fields and formats of one event. */
	int (*validate)(struct gmhook_ctx *ctx, struct gmhook__item *item,
	                struct gmhook_error *err);
	/* Emit the event's actions (sources whose mapping is C code). */
	int (*map)(struct gmhook_ctx *ctx, struct gmhook__item *item,
	           struct gmhook__plan_builder *pb, struct gmhook_error *err);
	/* Or: put the values the event carries into item->record, for the
	 * source's rules in its built-in mapping file (data/mappings/). */
	int (*record)(struct gmhook_ctx *ctx, struct gmhook__item *item,
	              struct gmhook__plan_builder *pb,
	              struct gmhook_error *err);
	/* The built-in mapping file's name, e.g. "calendly.json". */
	const char *mapping;
};

const struct gmhook__source *gmhook__source_find(const char *name);
const struct gmhook__source *
gmhook__source_detect(const struct gmhook__delivery *d);

/* Shared checks for source validators (validate.c). @p pointer is
 * relative to the event's data; errors name the full path in the body. */
int gmhook__validate_email(const struct gmhook__item *item, const char *pointer,
                           bool required, struct gmhook_error *err);
int gmhook__validate_time(const struct gmhook__item *item, const char *pointer,
                          bool required, struct gmhook_error *err);

/* ==== Plan building (map.c) ==== */

/*
 * Start a new action named @p name in the current event of @p pb. The
 * action is owned by the plan.
 */
json_object *gmhook__plan_action(struct gmhook__plan_builder *pb,
                                 const char *name);

/*
 * Set @p key of @p obj to @p value cut to @p max characters (0: no
 * limit). A cut adds a warning naming @p column and @p source_path, or
 * fails with GMHOOK_EVALIDATE when the overflow option is "reject".
 * A NULL @p value sets nothing and succeeds.
 */
int gmhook__plan_set(struct gmhook__plan_builder *pb, json_object *obj,
                     const char *key, const char *value, size_t max,
                     const char *column, const char *source_path,
                     struct gmhook_error *err);

void gmhook__plan_warn(struct gmhook__plan_builder *pb, const char *fmt, ...)
        GMHOOK_PRINTF(2, 3);

/* Mark the current event "ignored" with a reason. */
void gmhook__plan_ignore(struct gmhook__plan_builder *pb, const char *reason);

/* Was the signature of the event being mapped verified in this process
 * (not merely marked so in an event read from JSON)? */
bool gmhook__plan_signature_verified(struct gmhook__plan_builder *pb);

/* Mark the current event "confirm": commit GETs @p url to confirm the
 * SNS subscription to @p topic instead of writing anything. */
void gmhook__plan_confirm(struct gmhook__plan_builder *pb, const char *url,
                          const char *topic);

/*
 * An SNS URL gmhook may fetch (amazon_ses.c): https, on an
 * sns.<region>.amazonaws.com host (or @p test_host, a loopback
 * "127.0.0.1:PORT" from the configuration; may be NULL), without user or
 * port, at most 2048 bytes and with no space, control or backslash.
 */
bool gmhook__sns_url_ok(const char *url, const char *test_host);

/*
 * Commit of a plan event whose status is "confirm" (amazon_ses.c), for
 * commit.c and rest.c: fills @p entry's "status" with "confirmed",
 * "dry-run" or "ignored" (when the configuration no longer asks for it,
 * or @p verified is false: the plan was not mapped from an event whose
 * signature this process checked). The GET goes only to an https URL on
 * sns.<region>.amazonaws.com. A failed GET is GMHOOK_EUNAVAIL (or
 * GMHOOK_ECONFIG for a certificate or CA file problem) whose path is
 * the event's pointer + "/SubscribeURL".
 */
int gmhook__sns_confirm(json_object *entry, struct gmhook_ctx *ctx,
                        json_object *ev, bool verified, bool dry_run,
                        struct gmhook_error *err);

/* Set @p date_key ("YYYY-MM-DD") and @p time_key ("HH:MM", may be NULL)
 * of @p obj from @p t in the GoldMine server's local time. */
void gmhook__plan_set_when(json_object *obj, const char *date_key,
                           const char *time_key, int64_t t);

/* Who an event is about. Pointers are relative to the event's data and
 * are used in warnings and errors; any value may be NULL. */
struct gmhook__person {
	const char *email;
	const char *name;
	const char *name_path;
	const char *first;
	const char *last;
	const char *last_path;
	const char *phone;
	const char *phone_path;
	const char *company;
	const char *company_path;
	/* Write the fields only when the contact is created (contact1_new),
	 * e.g. a name that is only a phone number. */
	bool new_only;
};

/* Emit contact.upsert (matched on the e-mail address, or on the phone
 * number when there is no address) and, with an address, email.add for
 * @p p. CONTACT is the full name (or first + last), LASTNAME the last name
 * (or the full name's last word); new contacts get SOURCE = @p label
 * unless the context names another. */
int gmhook__plan_person(struct gmhook__plan_builder *pb,
                        const struct gmhook__item *item,
                        const struct gmhook__person *p, const char *label,
                        struct gmhook_error *err);

/* Emit history.add: a completed activity of GoldMine type @p rectype
 * ("O" other, "S" sale, "CI" call in ...) at @p when (server zone), with
 * REF cut to 65 characters and optional notes. Returns the action (owned
 * by the plan) through @p out when not NULL, to add "duration"/"units". */
int gmhook__plan_history(struct gmhook__plan_builder *pb, const char *rectype,
                         const char *actvcode, const char *resultcode,
                         int64_t when, const char *ref, const char *notes,
                         json_object **out, struct gmhook_error *err);

/* Emit contact.find matching @p email (or @p phone when email is NULL):
 * later contact actions apply to the contact found, and are skipped with
 * a warning when none matches. */
int gmhook__plan_find(struct gmhook__plan_builder *pb, const char *email,
                      const char *phone, struct gmhook_error *err);

/* What an e-mail campaign event does to an address. */
enum {
	GMHOOK__OUTCOME_UNSUBSCRIBE = 0, /* email.optout, history EML/UNS */
	GMHOOK__OUTCOME_BOUNCE = 1,      /* email.remove, history EML/BNC */
	GMHOOK__OUTCOME_SPAM = 2,        /* email.optout, history EML/SPM */
};

/* The record of a campaign event's outcome for @p address, which the
 * built-in mapping (mappings/campaigns.json) turns into contact.find,
 * history.add, then email.optout or email.remove: "outcome"
 * ("unsubscribe", "bounce" or "spam"), "address" (read at @p from, or
 * NULL), "when" (ISO 8601 UTC) and "notes". GMHOOK_EMAP without an
 * address. */
int gmhook__record_suppress(struct gmhook__item *item, int outcome,
                            const char *address, const char *from, int64_t when,
                            const char *notes, struct gmhook_error *err);

/* The context a plan is built for. */
struct gmhook_ctx *gmhook__plan_ctx(struct gmhook__plan_builder *pb);

/* How many actions the current event of @p pb has so far. */
size_t gmhook__plan_action_count(struct gmhook__plan_builder *pb);

/* ==== Site mapping rules (mapping.c) ==== */

enum {
	GMHOOK__RULE_REPLACE = 1, /* the rule's actions instead of built-in */
	GMHOOK__RULE_EXTEND = 2,  /* built-in actions, then the rule's */
	GMHOOK__RULE_IGNORE = 3,  /* the event is ignored */
};

struct gmhook__rule;

/* Load and check a mapping file into ctx->mappings; GMHOOK_ECONFIG naming
 * the file and the JSON pointer of any fault. With @p source (a file
 * named by sources.<name>.mapping) its rules are that source's. */
int gmhook__mappings_load(struct gmhook_ctx *ctx, const char *file,
                          const char *source, struct gmhook_error *err);
void gmhook__mappings_free(struct gmhook__mappings *m);
size_t gmhook__mappings_count(const struct gmhook__mappings *m);

/* The first rule matching the event, or NULL. */
const struct gmhook__rule *
gmhook__mappings_match(const struct gmhook__mappings *m, const char *source,
                       const char *event, json_object *data,
                       json_object *record);

/* Load and check a mapping document held in memory (a built-in mapping
 * file) into *@p mp, created on first use; @p name names it in errors. */
int gmhook__mappings_load_text(struct gmhook__mappings **mp, const char *name,
                               const char *text, size_t len,
                               struct gmhook_error *err);

/* The built-in mapping rules (builtin.c), after loading built-in file
 * @p file ("calendly.json"; NULL: every file) once per context from the
 * copy compiled into the library, or from the directory the
 * configuration's "builtin_mappings" names. NULL with @p err set on
 * failure. */
const struct gmhook__mappings *gmhook__builtin(struct gmhook_ctx *ctx,
                                               const char *file,
                                               struct gmhook_error *err);

/* The built-in mapping files compiled into the library (generated from
 * the JSON files in libgmhook/mappings); the list ends with a NULL name. */
struct gmhook__builtin_file {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct gmhook__builtin_file gmhook__builtin_files[];

/* Record values for built-in mapping files (map.c). A NULL @p value sets
 * nothing; @p from is the pointer in the event the value was read at, as
 * is, or NULL for a value the source computed. */
int gmhook__record_set(struct gmhook__item *item, const char *key,
                       const char *value, const char *from);
/* A moment as ISO 8601 UTC text ("2026-03-08T06:30:00Z"); the mapping
 * file's date and time transforms give it in the server's zone. */
int gmhook__record_set_time(struct gmhook__item *item, const char *key,
                            int64_t t);
int gmhook__record_set_int(struct gmhook__item *item, const char *key,
                           int64_t value);
/* The person's keys: email, phone, company, contact (the full name, or
 * first and last), lastname (the last name, or the full name's last
 * word), and new_only ("true" when the fields are for new contacts). */
int gmhook__record_person(struct gmhook__item *item,
                          const struct gmhook__person *p);
/* Ask for the event to be ignored with @p reason unless a site rule maps
 * it ("ignore" in the record). */
int gmhook__record_ignore(struct gmhook__item *item, const char *reason);
int gmhook__rule_mode(const struct gmhook__rule *rule);
const char *gmhook__rule_reason(const struct gmhook__rule *rule);

/* Emit the rule's actions for @p item; with @p explain (an array), add
 * one entry per field: rule, pointer read, transforms, value. */
int gmhook__rule_apply(const struct gmhook__rule *rule,
                       struct gmhook__plan_builder *pb,
                       struct gmhook__item *item, json_object *explain,
                       struct gmhook_error *err);

/* Call @p fn for every CONTACT2 field a mapping rule writes; stops at
 * the first negative return. */
int gmhook__mappings_contact2(const struct gmhook__mappings *m,
                              int (*fn)(const char *file, const char *pointer,
                                        const char *column, void *arg),
                              void *arg);

/* CONTACT2 field names a mapping may write: USERDEF01..10 and custom
 * U... fields, upper case, at most 10 characters. */
bool gmhook__contact2_column_ok(const char *name);

/* GoldMine column sizes (characters) used for truncation; 0 = unknown. */
size_t gmhook__column_size(const char *table, const char *column);

/* The GoldMine tables commit writes (NULL-terminated; schema.c). */
const char *const *gmhook__schema_tables(void);

/* Call @p fn for every column of @p table that commit's statements name
 * (each INSERT's column list, and the columns only read; a name may come
 * more than once); stops at the first negative return and returns it,
 * else 0. */
int gmhook__schema_columns_used(const char *table,
                                int (*fn)(const char *column, void *arg),
                                void *arg);

/* ==== Database layer (odbc.c is the only file that includes <sql.h>) ==== */

enum gmhook__dialect {
	GMHOOK__DIALECT_SQLITE = 1,
	GMHOOK__DIALECT_POSTGRESQL = 2,
	GMHOOK__DIALECT_MSSQL = 3,
	GMHOOK__DIALECT_OTHER = 4,
};

enum gmhook__ptype {
	GMHOOK__P_NULL = 0,
	GMHOOK__P_TEXT = 1,      /* .s, UTF-8 */
	GMHOOK__P_INT = 2,       /* .i */
	GMHOOK__P_TIMESTAMP = 3, /* .ts (a date at midnight, or a date-time) */
	GMHOOK__P_DOUBLE = 4,    /* .d */
};

struct gmhook__param {
	int type;
	const char *s;
	int64_t i;
	double d;
	struct tm ts; /* tm_year is years since 1900, as in <time.h> */
};

/* A fetched row: every column as a malloc'd string, NULL for SQL NULL. */
struct gmhook__row {
	char **cols;
	size_t n_cols;
};

void gmhook__row_clear(struct gmhook__row *row);

/*
 * Turn the --db value into an ODBC connection string: a string with '='
 * is used as it is; a name ending in ".db", ".sqlite" or ".sqlite3" or
 * containing '/' is a SQLite file ("Driver=SQLite3;Database=<file>");
 * anything else is a DSN ("DSN=<name>"). Caller frees.
 */
char *gmhook__db_connection_string(const char *db);

/*
 * Connect with autocommit off and the context's login timeout. Failure to
 * reach the server (SQLSTATE class 08, HYT00/HYT01, or a file that cannot
 * be opened) is GMHOOK_EUNAVAIL; anything else GMHOOK_EDB. Messages never
 * contain the connection string's password.
 */
int gmhook__db_open(struct gmhook__db **out, struct gmhook_ctx *ctx,
                    const char *connection, struct gmhook_error *err);
void gmhook__db_close(struct gmhook__db *db);
int gmhook__db_dialect(const struct gmhook__db *db);

/*
 * Run @p sql with @p n parameters bound in order (parameter binding only).
 * Statements are prepared once per connection and kept in a cache keyed
 * by their text. When @p row is not NULL, the first result row is fetched
 * into it and the return value is 1 (a row) or 0 (none); otherwise the
 * number of rows affected is returned (0 or more). Errors are negative:
 * GMHOOK_EDB with sqlstate/native filled, GMHOOK_EUNAVAIL when the
 * connection is lost, and a unique-key violation is GMHOOK_EDB with a
 * sqlstate starting "23".
 */
int gmhook__db_exec(struct gmhook__db *db, const char *sql,
                    const struct gmhook__param *params, size_t n,
                    struct gmhook__row *row, struct gmhook_error *err);

/* Run a statement without parameters or caching (DDL). */
int gmhook__db_exec_direct(struct gmhook__db *db, const char *sql,
                           struct gmhook_error *err);

int gmhook__db_commit(struct gmhook__db *db, struct gmhook_error *err);
int gmhook__db_rollback(struct gmhook__db *db, struct gmhook_error *err);

/* Call @p fn for every column of @p table (catalog lookup): its name as
 * the database spells it and its size in characters (0 when not a
 * character column). Returns the number of columns, 0 when the table is
 * unknown, or a negative error. */
int gmhook__db_columns(struct gmhook__db *db, const char *table,
                       void (*fn)(const char *column, long size, void *arg),
                       void *arg, struct gmhook_error *err);

/* Does the table exist? (catalog lookup) */
int gmhook__db_table_exists(struct gmhook__db *db, const char *table,
                            struct gmhook_error *err);

/* schema.c: the DDL lists (NULL-terminated, with @TS@ and @MEMO@
 * placeholders) and their text for a dialect (caller frees). */
const char *const *gmhook__schema_statements(bool ledger_only);
char *gmhook__schema_sql(const char *ddl, int dialect);

/* rest.c: send each event of @p plan to the REST backend (ctx->rest) and
 * build the result; the same contract as gmhook_commit(). */
int gmhook__rest_commit(struct gmhook_result **out, struct gmhook_ctx *ctx,
                        const struct gmhook_plan *plan,
                        struct gmhook_error *err);
void gmhook__rest_config_free(struct gmhook__rest_config *rest);

/* http.c (the only file that includes <curl/curl.h>): one HTTP POST. */
struct gmhook__http_request {
	const char *url;
	const char *body;
	size_t body_len;
	const char *const *headers; /* "Name: value" lines */
	size_t n_headers;
	const char *basic_user; /* Basic authentication, or NULL */
	const struct gmhook__secret *basic_password;
	/* Secrets the request carries (the API key): scrubbed from any
	 * server text copied into an error. */
	const struct gmhook__secret *secret;
	const char *ca_file;      /* extra CA bundle, or NULL */
	bool insecure;            /* allow http://, skip TLS verification */
	uint32_t connect_timeout; /* seconds, 0: libcurl's default */
	uint32_t timeout;         /* seconds for the whole exchange, 0: none */
	/* The URL as logs and errors show it (a token hidden), or NULL for
	 * url itself. */
	const char *shown_url;
	size_t max_body; /* largest answer, 0: GMHOOK__HTTP_MAX_BODY */
};

struct gmhook__http_response {
	long status; /* HTTP status */
	char *body;  /* NUL-terminated, at most GMHOOK__HTTP_MAX_BODY */
	size_t body_len;
	long retry_after; /* seconds from Retry-After, or -1 */
};

#define GMHOOK__HTTP_MAX_BODY (1024 * 1024)

/*
 * POST @p req. Any HTTP answer is a success (0) with its status in
 * @p out; transport failures are errors with the CURLcode in err->native:
 * GMHOOK_EUNAVAIL (connect, resolve, timeout, send or receive; worth a
 * retry), GMHOOK_ECONFIG (certificate, URL or protocol), GMHOOK_ETOOBIG
 * (the answer exceeds req->max_body), GMHOOK_ENOMEM. Redirects
 * are never followed. @p out is cleared on failure.
 */
int gmhook__http_post(struct gmhook__http_response *out, struct gmhook_ctx *ctx,
                      const struct gmhook__http_request *req,
                      struct gmhook_error *err);

/* GET @p req (its body and Basic credentials are not used); otherwise
 * as gmhook__http_post(). */
int gmhook__http_get(struct gmhook__http_response *out, struct gmhook_ctx *ctx,
                     const struct gmhook__http_request *req,
                     struct gmhook_error *err);

void gmhook__http_response_clear(struct gmhook__http_response *resp);

/*
 * Translate a non-2xx answer into @p err (err->native = status) and
 * return its code: 401/403 GMHOOK_ECONFIG; 408, 429 and 5xx
 * GMHOOK_EUNAVAIL; 3xx GMHOOK_ECONFIG (no redirect is followed); other
 * statuses GMHOOK_EMAP with the server's message ("message" or "error"
 * of a JSON body, else its text), cut to fit and with @p req's secrets
 * scrubbed. @p what names the request in the message.
 */
int gmhook__http_status_error(struct gmhook_error *err,
                              const struct gmhook__http_request *req,
                              const struct gmhook__http_response *resp,
                              const char *what);

/* config.c: read the "rest" object into ctx->rest. */

/* ==== SQL statements (sql.c) ==== */

/* Every statement commit runs; gmhook__sql() gives its text for a
 * dialect ("" when the dialect needs none, e.g. the SQLite write lock on
 * PostgreSQL). */
enum gmhook__sql_id {
	GMHOOK__SQL_WRITE_LOCK,
	GMHOOK__SQL_LEDGER_LOOKUP,
	GMHOOK__SQL_LEDGER_INSERT,
	GMHOOK__SQL_LOCK_MATCH_KEY,
	GMHOOK__SQL_FIND_BY_EMAIL,
	GMHOOK__SQL_CONTACT_BY_ACCOUNTNO,
	GMHOOK__SQL_FIND_BY_PHONE,
	GMHOOK__SQL_FIND_BY_DETAIL_PHONE,
	GMHOOK__SQL_INSERT_CONTACT1,
	GMHOOK__SQL_INSERT_CONTACT2,
	GMHOOK__SQL_UPDATE_CONTACT1_COLUMN,
	GMHOOK__SQL_UPDATE_CONTACT1_SHADOWED,
	GMHOOK__SQL_UPDATE_CONTACT1_AUDIT,
	GMHOOK__SQL_UPDATE_CONTACT2_COLUMN,
	GMHOOK__SQL_EMAIL_EXISTS,
	GMHOOK__SQL_HAS_PRIMARY,
	GMHOOK__SQL_INSERT_EMAIL,
	GMHOOK__SQL_OPTOUT_CODE,
	GMHOOK__SQL_OPTOUT_ALL,
	GMHOOK__SQL_BOUNCE_FLAG,
	GMHOOK__SQL_BOUNCE_DELETE,
	GMHOOK__SQL_FIND_DETAIL,
	GMHOOK__SQL_INSERT_DETAIL,
	GMHOOK__SQL_INSERT_HISTORY,
	GMHOOK__SQL_INSERT_LINK,
	GMHOOK__SQL_WAS_CANCELED,
	GMHOOK__SQL_INSERT_CAL,
	GMHOOK__SQL_FIND_CAL_LINK,
	GMHOOK__SQL_DELETE_CAL,
	GMHOOK__SQL_DELETE_CAL_LINK,
	GMHOOK__SQL_INSERT_NOTE,
	GMHOOK__SQL_CASE_LINKED,
	GMHOOK__SQL_INSERT_CASE,
	GMHOOK__SQL_SAVEPOINT,
	GMHOOK__SQL_ROLLBACK_TO_SAVEPOINT,
	GMHOOK__SQL_RELEASE_SAVEPOINT,
	GMHOOK__SQL_COUNT
};

const char *gmhook__sql(int id, int dialect);
const char *gmhook__sql_name(int id);

/* Connect ctx->db on first use. */
int gmhook__ctx_db(struct gmhook__db **out, struct gmhook_ctx *ctx,
                   struct gmhook_error *err);

/* ==== Spool (spool.c) ==== */

/* A spooled delivery read back; req points into the copies below. */
struct gmhook_spool_item {
	struct gmhook_request req;
	unsigned char *body;
	size_t body_len;
	char *content_type;
	char *source;
	struct gmhook_header *headers;
	size_t n_headers;
	char **strings; /* header names and values, owned */
	size_t n_strings;
	int64_t received;
};

/* Is @p name a spool entry (not a temporary file, the lock or dead/)? */
bool gmhook__spool_is_entry(const char *name);

#endif
