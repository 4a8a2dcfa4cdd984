/* client.c - libcurl calls to the API, answers parsed as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "client.h"
#include "../base/buf.h"
#include "../base/msg.h"
#include "../base/banned.h"

struct client client_from_args(const struct cli_args *a, const struct cli_opt *opts)
{
	struct client cl = { cli_get(a, opts, "url"), cli_get(a, opts, "token") };
	if (cl.url == NULL)
		cl.url = getenv("UNGCUU_URL");
	if (cl.token == NULL)
		cl.token = getenv("UNGCUU_TOKEN");
	if (cl.url == NULL)
		cl.url = "http://127.0.0.1:8080";
	return cl;
}

int client_has_token(const struct client *cl)
{
	if (cl->token && *cl->token)
		return 1;
	cli_errorf(MSG_MISSING_OPTION, "--token / UNGCUU_TOKEN");
	return 0;
}

/* An indicator export of 100,000 records is some tens of MB. */
#define CLIENT_MAX_RESPONSE (512 * 1024 * 1024)

static size_t on_data(char *p, size_t size, size_t n, void *user)
{
	return buf_add(user, p, size * n) == 0 ? size * n : 0;
}

int client_send(const struct client *cl, const char *method, const char *path,
		const char *ctype, const void *body, size_t n, const char *const *headers,
		json_t **out)
{
	char url[2048], auth[256], ct[128];
	struct buf resp;
	struct curl_slist *h = NULL;
	long status = -1;
	*out = NULL;
	snprintf(url, sizeof(url), "%s%s", cl->url, path);
	buf_init(&resp, CLIENT_MAX_RESPONSE);
	CURL *c = curl_easy_init();
	if (c == NULL)
		return -1;
	if (cl->token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", cl->token);
		h = curl_slist_append(h, auth);
	}
	snprintf(ct, sizeof(ct), "Content-Type: %s", ctype ? ctype : "application/json");
	h = curl_slist_append(h, ct);
	h = curl_slist_append(h, cli_lang() == LANG_EN ? "Accept-Language: en" : "Accept-Language: vi");
	h = curl_slist_append(h, "Expect:");
	for (int i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (resp.len)
			*out = json_loadb(resp.p, resp.len, 0, NULL);
	} else {
		cli_errorf(MSG_NETWORK, curl_easy_strerror(rc));
	}
	buf_release(&resp);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return (int)status;
}

int client_call(const struct client *cl, const char *method, const char *path,
		json_t *body, long long if_match, json_t **out)
{
	char im[64];
	const char *headers[2] = { NULL, NULL };
	if (if_match >= 0) {
		snprintf(im, sizeof(im), "If-Match: \"%lld\"", if_match);
		headers[0] = im;
	}
	char *payload = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int st = client_send(cl, method, path, "application/json", payload,
			     payload ? strlen(payload) : 0, headers, out);
	free(payload);
	return st;
}

int client_get_all(const struct client *cl, const char *path, json_t **out)
{
	json_t *all = json_array();
	const char *sep = strchr(path, '?') ? "&" : "?";
	char *cursor = NULL;
	int st = 200;
	*out = NULL;
	for (int pages = 0; pages < 1000; pages++) {
		struct buf b;
		json_t *page = NULL;
		buf_init(&b, 8192);
		buf_printf(&b, "%s%slimit=500", path, sep);
		if (cursor) {
			char *esc = curl_easy_escape(NULL, cursor, 0);
			buf_printf(&b, "&cursor=%s", esc ? esc : "");
			curl_free(esc);
		}
		st = b.p ? client_call(cl, "GET", b.p, NULL, -1, &page) : -1;
		buf_release(&b);
		free(cursor);
		cursor = NULL;
		if (st != 200) {
			json_decref(all);
			*out = page;
			return st;
		}
		json_array_extend(all, json_object_get(page, "items"));
		const char *next = json_string_value(json_object_get(page, "next_cursor"));
		cursor = next ? strdup(next) : NULL;
		json_decref(page);
		if (cursor == NULL)
			break;
	}
	free(cursor);
	*out = json_pack("{s:o}", "items", all);
	return 200;
}

int client_problem(int status, json_t *p)
{
	const char *detail = json_string_value(json_object_get(p, "detail"));
	char line[1200], out[1400];
	snprintf(line, sizeof(line), "%d %s", status, detail ? detail : "");
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(p, "errors"), i, f) {
		size_t l = strlen(line);
		snprintf(line + l, sizeof(line) - l, "; %s: %s",
			 json_string_value(json_object_get(f, "pointer")),
			 json_string_value(json_object_get(f, "detail")));
	}
	/* Printed whole, not through a struct err's short argument: the
	 * server's detail can carry what to do (its clock, how to re-enrol). */
	fprintf(stderr, "ungcuu: %s\n", msg_format(MSG_SERVER_SAID, cli_lang(), line, out, sizeof(out)));
	json_decref(p);
	return 1;
}
