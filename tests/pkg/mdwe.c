/*
 * mdwe.c - runs a command under the kernel's memory-deny-write-execute rule
 * (prctl PR_SET_MDWE, Linux 6.3+): no mapping both writable and executable,
 * none made executable later - what systemd's MemoryDenyWriteExecute=yes
 * enforces. tests/pkg/deb.sh runs the packaged server and a YARA sweep under
 * it to show the unit's MemoryDenyWriteExecute=yes does not break them.
 * `mdwe --probe` exits 0 when the rule is in force (a W+X mapping fails).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mdwe --probe | mdwe CMD [ARG...]\n");
		return 2;
	}
	if (strcmp(argv[1], "--probe") == 0) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? 0 : 1;
	}
	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0) {
		perror("mdwe: prctl(PR_SET_MDWE)");
		return 3;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
