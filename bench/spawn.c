/* SPDX-License-Identifier: MIT */
/*
 * bench/spawn: one process per event, as a CGI site runs gmhook. Reads
 * one delivery body per stdin line, and for each starts COMMAND with the
 * body on its standard input, waits for it, and records the wall time
 * from fork to exit. Prints the median, p99 and mean in milliseconds and
 * the number of runs that did not exit 0.
 *
 *   spawn COMMAND [ARGS...] < bodies
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

static int run(char **argv, const char *body, size_t len, double *ms)
{
	double start = now_ms();
	int fds[2];
	int status = 0;
	pid_t pid;

	if (pipe(fds) < 0) {
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fds[0], 0);
		dup2(null, 1);
		dup2(null, 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[0]);
	if (write(fds[1], body, len) != (ssize_t) len) {
		status = -1;
	}
	close(fds[1]);
	waitpid(pid, &status, 0);
	*ms = now_ms() - start;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
	size_t cap = 1024, n = 0, failed = 0;
	double *times = malloc(cap * sizeof(*times));
	double sum = 0;
	char *line = NULL;
	size_t line_cap = 0;
	ssize_t len;

	if (argc < 2 || !times) {
		fprintf(stderr, "usage: spawn COMMAND [ARGS...] < bodies\n");
		return 64;
	}
	while ((len = getline(&line, &line_cap, stdin)) > 0) {
		if (n == cap) {
			cap *= 2;
			times = realloc(times, cap * sizeof(*times));
			if (!times) {
				return 1;
			}
		}
		if (run(argv + 1, line, (size_t) len, &times[n]) != 0) {
			failed++;
		}
		sum += times[n++];
	}
	free(line);
	if (!n) {
		return 1;
	}
	qsort(times, n, sizeof(*times), cmp);
	printf("runs=%zu failed=%zu median_ms=%.2f p99_ms=%.2f mean_ms=%.2f\n",
	       n, failed, times[n / 2], times[(n * 99) / 100], sum / n);
	free(times);
	return 0;
}
