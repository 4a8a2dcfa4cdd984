/*
 * agent_main.c - `ungcuu-agent`: the host agent alone (`ungcuu agent`), for
 * the agencies' and communes' PCs that run no server: ungcuu-agent enroll |
 * run | hunt, the same options as `ungcuu agent`.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"
#include "base/crypto.h"
#include "base/banned.h"

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("ungcuu-agent %s\n", UNGCUU_VERSION);
		return 0;
	}
	if (crypto_init() != 0) {
		fprintf(stderr, "ungcuu-agent: libsodium failed to start\n");
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmd_agent(argc, argv);
	curl_global_cleanup();
	return rc;
}
