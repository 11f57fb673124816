/*
 * http.h - the one HTTP client rendergate uses to talk to a forge (libcurl).
 *
 * Safety rules this module enforces, so the forge clients cannot forget:
 *   - https:// only, with TLS peer and host verification always on; a CA
 *     bundle can be named (ca_file) instead of the system store.
 *   - plain http:// is accepted only for loopback hosts (127.0.0.0/8,
 *     "localhost", ::1), which is what the tests use; anything else is
 *     refused with RG_EUNSAFE before a connection is made.
 *   - redirects are never followed (a redirect would carry the token to
 *     another host); a 3xx comes back to the caller as a status.
 *   - the secret header (PRIVATE-TOKEN or Authorization) is never written
 *     to an error message or a log line; log lines name method, URL (which
 *     never holds the token), status, size and attempt.
 *   - response bodies are capped (max_response_bytes, default
 *     RG_CAP_HTTP_RESPONSE_BYTES); a bigger body is RG_ELIMIT. So is a
 *     Link header naming a next page, or an X-Next-Page header, longer
 *     than RG_CAP_HTTP_HEADER_BYTES (other long headers are ignored).
 *
 * Retries (rg_http_request):
 *   - 429: waits for Retry-After (delta seconds or HTTP-date) when given,
 *     else exponential backoff; the wait is capped by
 *     RG_CAP_HTTP_BACKOFF_MS_MAX and by the request deadline.
 *   - 5xx and transport failures (refused, reset, timed out, dropped):
 *     exponential backoff with jitter: base * 2^(n-1), uniformly drawn in
 *     [half, full], capped as above (a 503 with Retry-After waits for it).
 *   - other 4xx (and 2xx, 3xx): no retry, the response is returned.
 *   - a request that is not idempotent (req.idempotent == false, e.g. a
 *     POST that creates a comment) is retried only when the server
 *     certainly did not act on it: connection refused or not resolved, and
 *     429. A 5xx or dropped connection is returned to the caller, who
 *     decides (the drainer requeues and looks for its comment first).
 *   - at most RG_CAP_HTTP_ATTEMPTS tries and never past the deadline: when
 *     the next wait would end after the deadline, the last result is
 *     returned at once.
 *
 * Memory: a struct rg_http owns one curl handle and copies of its options;
 * responses own heap buffers released with rg_http_resp_release.
 */
#ifndef RENDERGATE_HTTP_H
#define RENDERGATE_HTTP_H

#include "rendergate/compat.h"
#include "rendergate/buf.h"
#include "rendergate/err.h"

/* Log sink for one line (no newline); may be NULL. Never sees the token. */
typedef void rg_http_log_fn(void *ctx, const char *line);

struct rg_http_opts {
	const char *ca_file; /* CA bundle (PEM); NULL: system store */
	unsigned connect_ms; /* 0: RG_CAP_HTTP_CONNECT_MS_DEFAULT */
	unsigned attempt_ms; /* one try; 0: RG_CAP_HTTP_ATTEMPT_MS_DEFAULT */
	unsigned
	    deadline_ms; /* all tries; 0: RG_CAP_HTTP_DEADLINE_MS_DEFAULT */
	unsigned backoff_base_ms;  /* first backoff; 0: 500 */
	unsigned max_attempts;	   /* 0 or > cap: RG_CAP_HTTP_ATTEMPTS */
	size_t max_response_bytes; /* 0: RG_CAP_HTTP_RESPONSE_BYTES */
	/* Secret header sent with every request, e.g. "PRIVATE-TOKEN" and the
	 * token, or "Authorization" and "token <t>". Copied; both or neither.
	 */
	const char *auth_name;
	const char *auth_value;
	rg_http_log_fn *log;
	void *log_ctx;
	uint64_t jitter_seed; /* 0: seeded from time and pid */
};

struct rg_http_req {
	const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;    /* absolute; must pass rg_http_url_check */
	const char *body;   /* NULL: none */
	size_t body_len;
	const char *content_type; /* NULL with a body: application/json */
	bool idempotent;	  /* safe to resend after a 5xx or a drop */
};

struct rg_http_resp {
	long status;	    /* HTTP status, 0 when no response */
	struct rg_buf body; /* response body (capped) */
	char *link_next;    /* Link rel="next" URL, or NULL */
	char *next_page;    /* X-Next-Page value (GitLab), or NULL */
	long long total;    /* X-Total-Count / X-Total, -1 when absent */
	unsigned attempts;  /* tries made */
};

struct rg_http;

/*
 * New client. Fails with RG_EINVALID on a half-given auth header or an
 * unreadable ca_file, RG_ERROR if libcurl cannot start.
 */
int rg_http_new(struct rg_http **out, const struct rg_http_opts *opts,
		struct rg_err *err);
void rg_http_free(struct rg_http *h);

void rg_http_resp_init(struct rg_http_resp *r);
void rg_http_resp_release(struct rg_http_resp *r);

/*
 * Send req with the retry rules above; *out (initialised by the call) gets
 * the final response even when it is an HTTP error status: check
 * out->status. Returns 0 when a response arrived (any status), or
 * RG_EUNSAFE (URL refused), RG_ELIMIT (body over the cap), RG_ETIMEOUT
 * (deadline passed without a response), RG_EFORGE (transport failure).
 * Release *out in every case.
 */
int rg_http_request(struct rg_http_resp *out, struct rg_http *h,
		    const struct rg_http_req *req, struct rg_err *err);

/*
 * Whether url may be used: scheme https, or http with a loopback host.
 * Returns 0 or RG_EUNSAFE / RG_EINVALID with the reason.
 */
int rg_http_url_check(const char *url, struct rg_err *err);

/*
 * Whether url has the same scheme, host and port as base (a pagination
 * link may only be followed to the same origin). Returns true or false.
 */
bool rg_http_same_origin(const char *base, const char *url);

/*
 * Parse a Retry-After value: delta seconds ("120") or an HTTP-date
 * ("Wed, 21 Oct 2015 07:28:00 GMT", also RFC 850 and asctime forms), with
 * now (unix seconds) for dates. *out_ms gets the wait in milliseconds (0
 * for dates in the past). Returns 0, or RG_EPARSE.
 */
int rg_http_parse_retry_after(uint64_t *out_ms, const char *value, size_t len,
			      int64_t now);

/*
 * The URL of rel="next" in a Link header value
 * (<https://x/api?page=2>; rel="next", <...>; rel="last"). Returns 0 and a
 * malloc'd copy (free it), RG_ENOTFOUND, or RG_EPARSE (also for a next URL
 * holding spaces or control bytes).
 */
int rg_http_parse_link_next(char **out, const char *value, size_t len);

/*
 * Backoff before try number `attempt` (2 = first retry): base * 2^(a-2),
 * jittered into [half, full] with *state (xorshift), capped by
 * RG_CAP_HTTP_BACKOFF_MS_MAX.
 */
uint64_t rg_http_backoff_ms(unsigned attempt, unsigned base_ms,
			    uint64_t *state);

/* Percent-encode s (RFC 3986 unreserved kept) into b: "a/b" -> "a%2Fb". */
int rg_http_escape(struct rg_buf *b, const char *s);

#endif
