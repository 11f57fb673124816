/*
 * http.c - libcurl wrapper with the forge safety rules (see http.h).
 */
#include "rendergate/compat.h"
#include "rendergate/caps.h"
#include "rendergate/http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct rg_http {
	CURL *curl;
	char *ca_file;
	unsigned connect_ms, attempt_ms, deadline_ms, backoff_base_ms;
	unsigned max_attempts;
	size_t max_response_bytes;
	char *auth_line; /* "Name: value", the only copy of the secret */
	rg_http_log_fn *log;
	void *log_ctx;
	uint64_t rng;
};

/* Per-attempt state shared with the curl callbacks. */
struct attempt {
	struct rg_http_resp *resp;
	bool over_cap;
	char retry_after[64];
	bool has_retry_after;
	const char *long_header; /* a header we read, over its cap */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000),
			      (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void logf_(struct rg_http *h, const char *fmt, ...) RG_PRINTF(2, 3);
static void logf_(struct rg_http *h, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!h->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	h->log(h->log_ctx, line);
}

void rg_http_resp_init(struct rg_http_resp *r)
{
	r->status = 0;
	rg_buf_init(&r->body, RG_CAP_HTTP_RESPONSE_BYTES);
	r->link_next = NULL;
	r->next_page = NULL;
	r->total = -1;
	r->attempts = 0;
}

void rg_http_resp_release(struct rg_http_resp *r)
{
	if (!r)
		return;
	rg_buf_release(&r->body);
	free(r->link_next);
	free(r->next_page);
	r->link_next = NULL;
	r->next_page = NULL;
	r->total = -1;
	r->status = 0;
}

int rg_http_new(struct rg_http **out, const struct rg_http_opts *opts,
		struct rg_err *err)
{
	struct rg_http *h = NULL;
	int ret = 0;

	*out = NULL;
	if (!opts->auth_name != !opts->auth_value) {
		ret =
		    rg_err_set(err, RG_EINVALID, NULL,
			       "http: auth header name and value go together");
		goto out;
	}
	if (opts->auth_name && (strpbrk(opts->auth_name, "\r\n:") ||
				strpbrk(opts->auth_value, "\r\n"))) {
		/* the value is secret: say what is wrong, not what it is */
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "http: the token contains a line break or the "
				 "header name is invalid");
		goto out;
	}
	if (opts->ca_file && access(opts->ca_file, R_OK) < 0) {
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "http: cannot read CA bundle %s: %s",
				 opts->ca_file, strerror(errno));
		goto out;
	}
	h = rg_xcalloc(1, sizeof(*h));
	h->curl = curl_easy_init();
	if (!h->curl) {
		ret = rg_err_set(err, RG_ERROR, NULL,
				 "http: libcurl failed to start");
		goto out;
	}
	h->ca_file = opts->ca_file ? rg_xstrdup(opts->ca_file) : NULL;
	h->connect_ms = opts->connect_ms ? opts->connect_ms
					 : RG_CAP_HTTP_CONNECT_MS_DEFAULT;
	h->attempt_ms = opts->attempt_ms ? opts->attempt_ms
					 : RG_CAP_HTTP_ATTEMPT_MS_DEFAULT;
	h->deadline_ms = opts->deadline_ms ? opts->deadline_ms
					   : RG_CAP_HTTP_DEADLINE_MS_DEFAULT;
	h->backoff_base_ms =
	    opts->backoff_base_ms ? opts->backoff_base_ms : 500;
	h->max_attempts =
	    opts->max_attempts && opts->max_attempts <= RG_CAP_HTTP_ATTEMPTS
		? opts->max_attempts
		: RG_CAP_HTTP_ATTEMPTS;
	h->max_response_bytes =
	    opts->max_response_bytes &&
		    opts->max_response_bytes < RG_CAP_HTTP_RESPONSE_BYTES
		? opts->max_response_bytes
		: RG_CAP_HTTP_RESPONSE_BYTES;
	if (opts->auth_name) {
		size_t n =
		    strlen(opts->auth_name) + strlen(opts->auth_value) + 3;

		h->auth_line = rg_xmalloc(n);
		snprintf(h->auth_line, n, "%s: %s", opts->auth_name,
			 opts->auth_value);
	}
	h->log = opts->log;
	h->log_ctx = opts->log_ctx;
	h->rng = opts->jitter_seed ? opts->jitter_seed
				   : ((uint64_t)time(NULL) << 20) ^
					 (uint64_t)getpid() ^ now_ms();
	*out = h;
	h = NULL;
out:
	rg_http_free(h);
	return ret;
}

void rg_http_free(struct rg_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h->ca_file);
	if (h->auth_line) {
		/* do not leave the token in freed heap memory */
		volatile char *p = h->auth_line;

		while (*p)
			*p++ = 0;
		free(h->auth_line);
	}
	free(h);
}

/* --- URL checks ------------------------------------------------------ */

static bool host_is_loopback(const char *host)
{
	struct in_addr a4;

	if (!strcasecmp(host, "localhost") || !strcmp(host, "[::1]") ||
	    !strcmp(host, "::1"))
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return false;
}

int rg_http_url_check(const char *url, struct rg_err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ret = 0;

	if (!u)
		return rg_err_set(err, RG_ERROR, NULL, "http: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "http: not a valid URL: %s", url);
		goto out;
	}
	if (!strcasecmp(scheme, "https"))
		goto out;
	if (!strcasecmp(scheme, "http")) {
		if (host_is_loopback(host))
			goto out;
		ret = rg_err_set(err, RG_EUNSAFE, NULL,
				 "http: refusing plain http:// to %s (https is "
				 "required; http only for loopback)",
				 host);
		goto out;
	}
	ret = rg_err_set(err, RG_EUNSAFE, NULL,
			 "http: unsupported URL scheme %s", scheme);
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ret;
}

static int origin_of(const char *url, char **scheme, char **host, char **port)
{
	CURLU *u = curl_url();
	int ret = -1;

	*scheme = *host = *port = NULL;
	if (!u)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) ==
		CURLUE_OK)
		ret = 0;
	curl_url_cleanup(u);
	return ret;
}

bool rg_http_same_origin(const char *base, const char *url)
{
	char *s1, *h1, *p1, *s2, *h2, *p2;
	bool same = false;

	if (origin_of(base, &s1, &h1, &p1) == 0 &&
	    origin_of(url, &s2, &h2, &p2) == 0)
		same = !strcasecmp(s1, s2) && !strcasecmp(h1, h2) &&
		       !strcmp(p1, p2);
	else
		origin_of(url, &s2, &h2, &p2);
	curl_free(s1);
	curl_free(h1);
	curl_free(p1);
	curl_free(s2);
	curl_free(h2);
	curl_free(p2);
	return same;
}

/* --- header parsing -------------------------------------------------- */

int rg_http_parse_retry_after(uint64_t *out_ms, const char *value, size_t len,
			      int64_t now)
{
	static const char *const formats[] = {
	    "%a, %d %b %Y %H:%M:%S GMT", /* IMF-fixdate */
	    "%A, %d-%b-%y %H:%M:%S GMT", /* RFC 850 */
	    "%a %b %d %H:%M:%S %Y",	 /* asctime */
	};
	char tmp[64];
	size_t i = 0, n;
	uint64_t secs = 0;

	while (len && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	while (i < len && (value[i] == ' ' || value[i] == '\t'))
		i++;
	value += i;
	len -= i;
	if (!len)
		return RG_EPARSE;
	for (n = 0; n < len && value[n] >= '0' && value[n] <= '9'; n++) {
		if (secs > UINT64_MAX / 10000)
			secs = UINT64_MAX / 10000; /* saturate; capped later */
		else
			secs = secs * 10 + (uint64_t)(value[n] - '0');
	}
	if (n == len) {
		*out_ms = secs * 1000;
		return 0;
	}
	if (len >= sizeof(tmp))
		return RG_EPARSE;
	memcpy(tmp, value, len);
	tmp[len] = 0;
	for (i = 0; i < RG_ARRAY_SIZE(formats); i++) {
		struct tm tm;
		const char *end;
		time_t t;

		memset(&tm, 0, sizeof(tm));
		end = strptime(tmp, formats[i], &tm);
		if (!end || *end)
			continue;
		t = timegm(&tm);
		if (t == (time_t)-1)
			continue;
		*out_ms =
		    (int64_t)t > now ? (uint64_t)((int64_t)t - now) * 1000 : 0;
		return 0;
	}
	return RG_EPARSE;
}

static bool rel_has_next(const char *p, size_t n)
{
	/* p..n is one parameter list: ; rel="next last" ; type=... */
	size_t i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (p[i] == ';' || p[i] == ' ' || p[i] == '\t'))
			i++;
		s = i;
		while (i < n && p[i] != ';')
			i++;
		e = i;
		if (e - s > 4 && !strncasecmp(p + s, "rel=", 4)) {
			size_t v = s + 4, ve = e;

			while (ve > v &&
			       (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
				ve--;
			if (ve > v && p[v] == '"') {
				v++;
				if (ve > v && p[ve - 1] == '"')
					ve--;
			}
			/* a space-separated list of relation types */
			while (v < ve) {
				size_t w = v;

				while (w < ve && p[w] != ' ')
					w++;
				if (w - v == 4 &&
				    !strncasecmp(p + v, "next", 4))
					return true;
				v = w + 1;
			}
		}
	}
	return false;
}

int rg_http_parse_link_next(char **out, const char *value, size_t len)
{
	size_t i = 0;

	*out = NULL;
	while (i < len) {
		size_t us, ue, ps;

		while (i < len &&
		       (value[i] == ' ' || value[i] == ',' || value[i] == '\t'))
			i++;
		if (i >= len)
			break;
		if (value[i] != '<')
			return RG_EPARSE;
		us = ++i;
		while (i < len && value[i] != '>')
			i++;
		if (i >= len)
			return RG_EPARSE;
		ue = i++;
		ps = i;
		{
			bool quoted = false;

			while (i < len && (quoted || value[i] != ',')) {
				if (value[i] == '"')
					quoted = !quoted;
				i++;
			}
		}
		if (rel_has_next(value + ps, i - ps)) {
			size_t k;

			if (ue == us)
				return RG_EPARSE;
			/* no controls or spaces: the URL goes to curl as a
			 * string */
			for (k = us; k < ue; k++)
				if ((unsigned char)value[k] <= 0x20 ||
				    value[k] == 0x7f)
					return RG_EPARSE;
			*out = rg_xstrndup(value + us, ue - us);
			return 0;
		}
	}
	return RG_ENOTFOUND;
}

uint64_t rg_http_backoff_ms(unsigned attempt, unsigned base_ms, uint64_t *state)
{
	uint64_t full = base_ms ? base_ms : 1, half, x;
	unsigned i;

	for (i = 2; i < attempt && full < RG_CAP_HTTP_BACKOFF_MS_MAX; i++)
		full *= 2;
	if (full > RG_CAP_HTTP_BACKOFF_MS_MAX)
		full = RG_CAP_HTTP_BACKOFF_MS_MAX;
	/* xorshift64* */
	x = *state ? *state : 0x9e3779b97f4a7c15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	x *= 0x2545f4914f6cdd1dull;
	half = full / 2;
	return half + (x >> 11) % (full - half + 1);
}

int rg_http_escape(struct rg_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int ret = 0;

	for (; *s && !ret; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			ret = rg_buf_addch(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			ret = rg_buf_add(b, e, 3);
		}
	}
	return ret;
}

/* --- curl callbacks -------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct attempt *at = ctx;
	size_t n = size * nmemb;

	if (rg_buf_add(&at->resp->body, data, n) < 0) {
		at->over_cap = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

static void header_value(const char *line, size_t n, size_t namelen,
			 const char **v, size_t *vlen)
{
	size_t i = namelen + 1;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (n > i && (line[n - 1] == '\r' || line[n - 1] == '\n' ||
			 line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	*v = line + i;
	*vlen = n - i;
}

static bool header_is(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k && line[k] == ':' && !strncasecmp(line, name, k);
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ctx)
{
	struct attempt *at = ctx;
	struct rg_http_resp *r = at->resp;
	size_t n = size * nmemb;
	const char *v;
	size_t vlen;

	if (n >= 5 && !strncmp(line, "HTTP/", 5)) {
		/* a new response (after 100 Continue): forget earlier headers
		 */
		free(r->link_next);
		free(r->next_page);
		r->link_next = r->next_page = NULL;
		r->total = -1;
		at->has_retry_after = false;
		return n;
	}
	if (n > RG_CAP_HTTP_HEADER_BYTES) {
		/* one that may name a next page is an error (dropped, it
		 * would end a listing early); any other is ignored */
		if (header_is(line, n, "X-Next-Page"))
			at->long_header = "X-Next-Page";
		else if (header_is(line, n, "Link") &&
			 memmem(line, n, "next", 4))
			at->long_header = "Link";
		return n;
	}
	if (header_is(line, n, "Link")) {
		char *next = NULL;

		header_value(line, n, 4, &v, &vlen);
		if (rg_http_parse_link_next(&next, v, vlen) == 0) {
			free(r->link_next);
			r->link_next = next;
		}
	} else if (header_is(line, n, "X-Next-Page")) {
		header_value(line, n, 11, &v, &vlen);
		free(r->next_page);
		r->next_page = vlen ? rg_xstrndup(v, vlen) : NULL;
	} else if (header_is(line, n, "X-Total-Count") ||
		   header_is(line, n, "X-Total")) {
		/* Gitea's X-Total-Count or GitLab's X-Total */
		size_t namelen = header_is(line, n, "X-Total") ? 7 : 13;
		long long t = 0;
		size_t i;

		header_value(line, n, namelen, &v, &vlen);
		for (i = 0; i < vlen && i < 18 && v[i] >= '0' && v[i] <= '9';
		     i++)
			t = t * 10 + (v[i] - '0');
		if (vlen && i == vlen)
			r->total = t;
	} else if (header_is(line, n, "Retry-After")) {
		header_value(line, n, 11, &v, &vlen);
		if (vlen < sizeof(at->retry_after)) {
			memcpy(at->retry_after, v, vlen);
			at->retry_after[vlen] = 0;
			at->has_retry_after = true;
		}
	}
	return n;
}

/* --- the request loop ------------------------------------------------ */

enum outcome { DONE, RETRY, RETRY_IF_IDEMPOTENT, FAIL };

static int one_attempt(struct rg_http *h, const struct rg_http_req *req,
		       struct attempt *at, uint64_t timeout_ms, CURLcode *cc,
		       char *errbuf)
{
	CURL *c = h->curl;
	struct curl_slist *hdrs = NULL;
	bool loop = rg_http_url_check(req->url, NULL) == 0 &&
		    !strncasecmp(req->url, "http:", 5);
	char ctype[128];

	curl_easy_reset(c);
	errbuf[0] = 0;
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (req->body) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s",
			 req->content_type ? req->content_type
					   : "application/json");
		hdrs = curl_slist_append(hdrs, ctype);
	}
	if (h->auth_line)
		hdrs = curl_slist_append(hdrs, h->auth_line);
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
	if (loop)
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)h->connect_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "rendergate");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)h->max_response_bytes);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, at);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, at);
	if (!strcmp(req->method, "GET")) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(req->body ? req->body_len : 0));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
				 req->body ? req->body : "");
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	}
	*cc = curl_easy_perform(c);
	if (*cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &at->resp->status);
	curl_slist_free_all(hdrs);
	return 0;
}

static enum outcome classify(CURLcode cc, const struct attempt *at, long status)
{
	if (at->over_cap || at->long_header || cc == CURLE_FILESIZE_EXCEEDED)
		return FAIL;
	switch (cc) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return RETRY; /* nothing reached the server */
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return RETRY_IF_IDEMPOTENT;
	default:
		return FAIL; /* TLS verification, bad URL, ...: retrying won't
				help */
	}
	if (status == 429)
		return RETRY;
	if (status >= 500 && status <= 599)
		return RETRY_IF_IDEMPOTENT;
	return DONE;
}

int rg_http_request(struct rg_http_resp *out, struct rg_http *h,
		    const struct rg_http_req *req, struct rg_err *err)
{
	uint64_t start = now_ms(), deadline = start + h->deadline_ms;
	unsigned attempt;
	int ret = 0;
	char errbuf[CURL_ERROR_SIZE];

	rg_http_resp_init(out);
	out->body.cap = h->max_response_bytes;
	ret = rg_http_url_check(req->url, err);
	if (ret < 0)
		goto out;
	for (attempt = 1;; attempt++) {
		struct attempt at = {out, false, "", false, NULL};
		uint64_t now = now_ms(), left, wait;
		CURLcode cc;
		enum outcome oc;

		if (now >= deadline) {
			ret = rg_err_set(
			    err, RG_ETIMEOUT, NULL,
			    "%s %s: no answer within the %u ms deadline",
			    req->method, req->url, h->deadline_ms);
			goto out;
		}
		left = deadline - now;
		rg_buf_reset(&out->body);
		out->status = 0;
		out->attempts = attempt;
		one_attempt(h, req, &at,
			    left < h->attempt_ms ? left : h->attempt_ms, &cc,
			    errbuf);
		oc = classify(cc, &at, out->status);
		if (oc == DONE) {
			logf_(h, "%s %s -> %ld (%zu bytes, try %u)",
			      req->method, req->url, out->status, out->body.len,
			      attempt);
			goto out;
		}
		if (at.long_header) {
			ret = rg_err_set(
			    err, RG_ELIMIT, NULL,
			    "%s %s: response header %s longer "
			    "than %u bytes (RG_CAP_HTTP_HEADER_BYTES)",
			    req->method, req->url, at.long_header,
			    RG_CAP_HTTP_HEADER_BYTES);
			goto out;
		}
		if (at.over_cap || cc == CURLE_FILESIZE_EXCEEDED) {
			ret = rg_err_set(err, RG_ELIMIT, NULL,
					 "%s %s: response larger than %zu "
					 "bytes (RG_CAP_HTTP_RESPONSE_BYTES)",
					 req->method, req->url,
					 h->max_response_bytes);
			goto out;
		}
		if (oc == FAIL ||
		    (oc == RETRY_IF_IDEMPOTENT && !req->idempotent) ||
		    attempt >= h->max_attempts) {
			if (cc ==
			    CURLE_OK) /* an HTTP error status: caller decides */
				goto out;
			char limits[96] = "";

			/* curl says how long it waited, not which limit */
			if (cc == CURLE_OPERATION_TIMEDOUT)
				snprintf(limits, sizeof(limits),
					 "; timeouts: connect %u ms, "
					 "attempt %u ms",
					 h->connect_ms, h->attempt_ms);
			ret = rg_err_set(
			    err,
			    cc == CURLE_OPERATION_TIMEDOUT ? RG_ETIMEOUT
							   : RG_EFORGE,
			    NULL, "%s %s: %s (try %u%s%s)", req->method,
			    req->url,
			    errbuf[0] ? errbuf : curl_easy_strerror(cc),
			    attempt,
			    attempt >= RG_CAP_HTTP_ATTEMPTS
				? ", the last RG_CAP_HTTP_ATTEMPTS allows"
				: "",
			    limits);
			goto out;
		}
		wait = rg_http_backoff_ms(attempt + 1, h->backoff_base_ms,
					  &h->rng);
		if (cc == CURLE_OK &&
		    (out->status == 429 || out->status == 503) &&
		    at.has_retry_after) {
			uint64_t ra;

			if (rg_http_parse_retry_after(&ra, at.retry_after,
						      strlen(at.retry_after),
						      (int64_t)time(NULL)) == 0)
				wait = ra;
		}
		if (wait > RG_CAP_HTTP_BACKOFF_MS_MAX)
			wait = RG_CAP_HTTP_BACKOFF_MS_MAX;
		now = now_ms();
		if (now + wait >= deadline) {
			logf_(h,
			      "%s %s -> %ld, next try would pass the deadline",
			      req->method, req->url, out->status);
			if (cc == CURLE_OK)
				goto out;
			ret = rg_err_set(err, RG_ETIMEOUT, NULL,
					 "%s %s: %s; gave up at the deadline",
					 req->method, req->url,
					 errbuf[0] ? errbuf
						   : curl_easy_strerror(cc));
			goto out;
		}
		if (cc == CURLE_OK)
			logf_(
			    h,
			    "%s %s -> %ld, retrying in %llu ms (try %u of %u)",
			    req->method, req->url, out->status,
			    (unsigned long long)wait, attempt + 1,
			    h->max_attempts);
		else
			logf_(h,
			      "%s %s: %s, retrying in %llu ms (try %u of %u)",
			      req->method, req->url,
			      errbuf[0] ? errbuf : curl_easy_strerror(cc),
			      (unsigned long long)wait, attempt + 1,
			      h->max_attempts);
		sleep_ms(wait);
	}
out:
	return ret;
}
