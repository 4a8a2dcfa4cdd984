/*
 * bare_hash.c - the ceiling for the hashing row of tests/bench/sweep.sh:
 * the least a program must do to give the SHA-256 of every file of a tree,
 * on THREADS threads. Each thread takes the next path of the list, opens it
 * (O_NOFOLLOW, O_NOATIME as the sweep), fstats it, reads it in 256 KiB
 * pieces into a page-aligned buffer, hashes each piece with OpenSSL's EVP
 * SHA-256 (the implementation `openssl speed -evp sha256` measures) and
 * closes it. No walk (the list is read before the clock of any thread
 * starts), no queue, no output but the number of files and bytes.
 *
 * What this loop loses against `openssl speed` is the kernel's part: the
 * open and close of each file and the copy from the page cache. No program
 * that reads the files can hash them faster on the same machine (mapping
 * them costs more in page-table work; see src/agent/sweep_walk.c).
 *
 * usage: find TREE -type f -print0 | bare_hash THREADS
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define CHUNK (256u * 1024)
#define MAX_THREADS 64

static char **paths;
static size_t npaths;
static atomic_size_t next_path;
static atomic_ullong total_bytes, total_files;

static void *hash_files(void *arg)
{
	(void)arg;
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	void *mem = NULL;
	if (md == NULL || ctx == NULL || posix_memalign(&mem, 4096, CHUNK) != 0) {
		fprintf(stderr, "bare_hash: out of memory\n");
		exit(2);
	}
	unsigned char *buf = mem;
	for (;;) {
		size_t i = atomic_fetch_add(&next_path, 1);
		if (i >= npaths)
			break;
		int fd = open(paths[i], O_RDONLY | O_NOFOLLOW | O_NOATIME | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			fd = open(paths[i], O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0) {
			perror(paths[i]);
			exit(2);
		}
		EVP_DigestInit_ex(ctx, md, NULL);
		size_t left = (size_t)st.st_size;
		while (left > 0) {
			ssize_t k = read(fd, buf, left < CHUNK ? left : CHUNK);
			if (k <= 0)
				break;
			EVP_DigestUpdate(ctx, buf, (size_t)k);
			left -= (size_t)k;
			atomic_fetch_add(&total_bytes, (unsigned long long)k);
		}
		unsigned char d[EVP_MAX_MD_SIZE];
		unsigned dl;
		EVP_DigestFinal_ex(ctx, d, &dl);
		close(fd);
		atomic_fetch_add(&total_files, 1);
	}
	free(mem);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 0;
	if (threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: find TREE -type f -print0 | bare_hash THREADS (1-%d)\n",
			MAX_THREADS);
		return 2;
	}
	size_t cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n;
	while ((n = getdelim(&line, &lcap, '\0', stdin)) > 0) {
		if (npaths == cap) {
			cap = cap ? cap * 2 : 1024;
			char **p = realloc(paths, cap * sizeof(*p));
			if (p == NULL)
				return 2;
			paths = p;
		}
		if ((paths[npaths++] = strdup(line)) == NULL)
			return 2;
	}
	free(line);
	pthread_t tid[MAX_THREADS];
	for (int i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, hash_files, NULL) != 0)
			return 2;
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	printf("%llu files, %llu bytes\n", (unsigned long long)total_files,
	       (unsigned long long)total_bytes);
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	return 0;
}
