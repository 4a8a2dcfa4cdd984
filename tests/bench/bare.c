/*
 * bare.c - the ceiling for tests/bench/run.sh: a bare libmicrohttpd server
 * configured like src/http/server.c (internal polling thread, epoll, a pool
 * of 2 threads, the answer queued on the second callback so keep-alive
 * survives with 0.9.75) answering every request with the same ~300-byte
 * JSON body. No routing, no authentication, no database.
 *
 * The per-connection memory pool is 16 KiB, as in server.c: libmicrohttpd
 * zeroes the pool for every request, so a bigger pool here would lower the
 * ceiling.
 *
 * usage: bare PORT [THREADS [POOL_BYTES]]   (runs until SIGTERM/SIGINT)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

static const char BODY[] =
	"{\"id\":\"01a21006-bca1-7029-9c70-9c9bf69e89c1\",\"number\":\"PQ-2026-0007\","
	"\"title\":\"Ro ri danh sach ho so tren mang xa hoi\","
	"\"description\":\"Anh chup danh sach ho so bi dang len.\","
	"\"type\":\"espionage\",\"severity\":null,\"status\":\"verified\",\"version\":3,"
	"\"tlp\":\"AMBER\",\"detected_at\":\"2026-11-18T17:06:46.710Z\"}";

static struct MHD_Response *resp;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **req_cls)
{
	static int first_call_marker;
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	if (*req_cls == NULL) {
		/* First call: set up only (see the header comment). */
		*req_cls = &first_call_marker;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, resp);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [THREADS]\n", argv[0]);
		return 2;
	}
	long port = strtol(argv[1], NULL, 10);
	unsigned threads = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 2;
	size_t pool = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 16 * 1024;
	if (port <= 0 || port > 65535 || threads == 0 || pool < 4096) {
		fprintf(stderr, "bad port, thread count or pool size\n");
		return 2;
	}
	struct sockaddr_in addr = { 0 };
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	resp = MHD_create_response_from_buffer(sizeof(BODY) - 1, (void *)BODY,
					       MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return 1;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");

	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool,
		MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "bare: cannot listen on 127.0.0.1:%ld\n", port);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	MHD_destroy_response(resp);
	return 0;
}
