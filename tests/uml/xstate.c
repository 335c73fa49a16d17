// SPDX-License-Identifier: Apache-2.0
/*
 * xstate.c — preloaded into linux.uml (the user-mode Linux kernel the
 * integration tests boot for the link types this machine's kernel lacks) so
 * that it can restore its processes' full vector register state.
 *
 * UML keeps each of its processes' registers itself and writes them back
 * with ptrace(PTRACE_SETREGSET, NT_X86_XSTATE) in a buffer the size of the
 * XSAVE area it knows (2,696 bytes: up to AVX-512 and PKRU). Host kernels
 * accept only the whole standard-format area (11,008 bytes or more once the
 * CPU has AMX tiles) and fail anything else with EFAULT, which UML treats as
 * fatal: init dies with SIGSEGV at its first instruction. Without xstate UML
 * falls back to the 512-byte FXSAVE layout, which loses the AVX registers'
 * upper halves whenever a process takes a page fault; glibc's AVX string
 * functions then return wrong answers (printf prints its format unexpanded).
 *
 * So a short SETREGSET that the host refuses is redone here with a buffer of
 * the host's size: the process's current state (the parts UML does not know
 * stay as they are) overlaid with what UML wrote. Every other ptrace request
 * passes through unchanged. Not part of ccni: a test tool, never installed.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef long (*ptrace_fn)(enum __ptrace_request, ...);

/* Larger than any XSAVE area an x86 CPU defines today (AMX: 11,008). */
#define XSTATE_MAX 65536

static long setregset_full(ptrace_fn real, pid_t pid, void *addr, const struct iovec *want)
{
	static __thread uint8_t full[XSTATE_MAX];
	struct iovec v = { full, sizeof full };

	/* The kernel shortens iov_len to the size of its area. */
	if (real(PTRACE_GETREGSET, pid, addr, &v) < 0)
		return -1;
	if (v.iov_len <= want->iov_len) {
		errno = EFAULT;
		return -1;
	}
	memcpy(full, want->iov_base, want->iov_len);
	return real(PTRACE_SETREGSET, pid, addr, &v);
}

__attribute__((visibility("default"))) long ptrace(enum __ptrace_request req, ...)
{
	static ptrace_fn real;
	va_list ap;

	va_start(ap, req);
	pid_t pid = va_arg(ap, pid_t);
	void *addr = va_arg(ap, void *);
	void *data = va_arg(ap, void *);
	va_end(ap);
	if (!real)
		real = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (req != PTRACE_SETREGSET || (uintptr_t)addr != NT_X86_XSTATE)
		return real(req, pid, addr, data);
	/* Once the host has refused UML's size it refuses it every time. */
	static int host_wants_more;
	if (!host_wants_more) {
		long r = real(req, pid, addr, data);
		if (r == 0 || errno != EFAULT)
			return r;
		host_wants_more = 1;
	}
	return setregset_full(real, pid, addr, data);
}
