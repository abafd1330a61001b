// The system calls the keeper makes, each returning what the kernel returns: a value, or -errno.
//
// Every session starts the keeper, and on a virtual machine a C library's start-up is most of what
// that costs: glibc's start asks the CPU about its features and caches (`cpuid`), and each of those
// questions traps to the hypervisor. A fork and exec of a static glibc program took 0.6-0.65 ms
// here, one without a C library 0.23-0.33 ms. So where binding.gyp's probe (nolibc-probe.sh) finds
// that this compiler can build it (x86-64 and arm64 Linux with GCC or Clang), the keeper is built
// with KEEPER_NOLIBC: no C library at all, its own entry point, the system calls made directly.
// Elsewhere the same functions call the C library's syscall(2), so there is one keeper either way.
#ifndef KEEPER_SYS_H
#define KEEPER_SYS_H

#include <asm/unistd.h>
#include <linux/types.h>
#include <stddef.h>

#ifdef KEEPER_NOLIBC

#if defined(__x86_64__)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long result;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return result;
}
// The entry point: argc, argv and envp are on the stack; the ABI wants it 16-byte aligned at a call.
__asm__(".text\n.global _start\n_start:\n xor %rbp, %rbp\n mov %rsp, %rdi\n and $-16, %rsp\n"
        " call keeper_start\n hlt\n");
#elif defined(__aarch64__)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
}
__asm__(".text\n.global _start\n_start:\n mov x29, #0\n mov x30, #0\n mov x0, sp\n"
        " and sp, x0, #-16\n bl keeper_start\n");
#else
#error "KEEPER_NOLIBC is for x86-64 and arm64 (nolibc-probe.sh builds the keeper with libc elsewhere)"
#endif

// What the compiler may call for a struct copy or zeroing.
void *memset(void *to, int byte, size_t length);
void *memcpy(void *to, const void *from, size_t length);
void *memset(void *to, int byte, size_t length) {
  unsigned char *p = to;
  while (length-- > 0) *p++ = (unsigned char)byte;
  return to;
}
void *memcpy(void *to, const void *from, size_t length) {
  unsigned char *p = to;
  const unsigned char *q = from;
  while (length-- > 0) *p++ = *q++;
  return to;
}

#else  // with the C library

#include <errno.h>
#include <unistd.h>
static inline long sys6(long n, long a, long b, long c, long d, long e, long f) {
  long result = syscall(n, a, b, c, d, e, f);
  return result == -1 ? -errno : result;
}

#endif

#define sys0(n) sys6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

#ifdef KEEPER_NOLIBC
// The kernel's constants (what the C library's headers would give; signal numbers, errors and
// these flags are the same on both targets but O_DIRECTORY).
#define K_SIGKILL 9
#define K_SIGTERM 15
#define K_SIGCHLD 17
#define K_NSIG 64
// The request signal: glibc's SIGRTMIN + 2, which is what spawn.c's keeperRequest sends (glibc keeps
// the kernel's first two real-time signals, 32 and 33, for itself).
#define K_REQUEST_SIGNAL 36
#define K_SI_QUEUE (-1)
#define K_SIG_DFL 0
#define K_SIG_SETMASK 2
#define K_SIG_UNBLOCK 1
#define K_WNOHANG 1
#define K_O_RDONLY 0
#define K_O_WRONLY 1
#define K_O_RDWR 2
#if defined(__aarch64__)
#define K_O_DIRECTORY 040000
#else
#define K_O_DIRECTORY 0200000
#endif
#define K_O_CLOEXEC 02000000
#define K_AT_FDCWD (-100)
#define K_PR_SET_PDEATHSIG 1
#define K_PR_SET_CHILD_SUBREAPER 36
#define K_RLIMIT_CORE 4
#define K_ENOENT 2
#define K_EINTR 4
#define K_ENOEXEC 8
#define K_ECHILD 10
#define K_EACCES 13
#define K_ENOTDIR 20
#define K_ENAMETOOLONG 36
#define K_EIO 5
#define K_ENOSYS 38
#define K_PROT_READ 1
#define K_PROT_WRITE 2
#define K_MAP_PRIVATE 2
#define K_MAP_ANONYMOUS 0x20
#else
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#define K_SIGKILL SIGKILL
#define K_SIGTERM SIGTERM
#define K_SIGCHLD SIGCHLD
#define K_NSIG (NSIG - 1)
#define K_REQUEST_SIGNAL (SIGRTMIN + 2)  // spawn.c's keeperRequest sends the same one
#define K_SI_QUEUE SI_QUEUE
#define K_SIG_DFL 0
#define K_SIG_SETMASK SIG_SETMASK
#define K_SIG_UNBLOCK SIG_UNBLOCK
#define K_WNOHANG WNOHANG
#define K_O_RDONLY O_RDONLY
#define K_O_WRONLY O_WRONLY
#define K_O_RDWR O_RDWR
#define K_O_DIRECTORY O_DIRECTORY
#define K_O_CLOEXEC O_CLOEXEC
#define K_AT_FDCWD AT_FDCWD
#define K_PR_SET_PDEATHSIG PR_SET_PDEATHSIG
#define K_PR_SET_CHILD_SUBREAPER PR_SET_CHILD_SUBREAPER
#define K_RLIMIT_CORE RLIMIT_CORE
#define K_ENOENT ENOENT
#define K_EINTR EINTR
#define K_ENOEXEC ENOEXEC
#define K_ECHILD ECHILD
#define K_EACCES EACCES
#define K_ENOTDIR ENOTDIR
#define K_ENAMETOOLONG ENAMETOOLONG
#define K_EIO EIO
#define K_ENOSYS ENOSYS
#define K_PROT_READ PROT_READ
#define K_PROT_WRITE PROT_WRITE
#define K_MAP_PRIVATE MAP_PRIVATE
#define K_MAP_ANONYMOUS MAP_ANONYMOUS
#endif

// The kernel's layouts (the C library's may differ: glibc's sigset_t is 128 bytes).
typedef unsigned long ksigset;  // one bit per signal, signal n at bit n-1

typedef struct {
  int signo;
  int errno_;
  int code;
  int pad_;
  int pid;          // sender (SI_QUEUE, SI_USER) or child (SIGCHLD)
  unsigned uid;
  long value;       // sigqueue's value (its int is the low half on both little-endian targets)
  char rest_[96];   // the kernel writes 128 bytes
} ksiginfo;

typedef struct {
  long handler;
  unsigned long flags;
  long restorer;
  ksigset mask;
} ksigaction;

struct kdirent64 {
  __u64 ino;
  __s64 off;
  unsigned short reclen;
  unsigned char type;
  char name[];
};

__attribute__((noreturn)) static inline void k_exit(int code) {
  for (;;) sys1(__NR_exit_group, code);
}
static inline int k_open(const char *path, int flags) { return (int)sys4(__NR_openat, K_AT_FDCWD, path, flags, 0); }
static inline long k_read(int fd, void *buffer, size_t length) { return sys3(__NR_read, fd, buffer, length); }
static inline long k_write(int fd, const void *buffer, size_t length) {
  return sys3(__NR_write, fd, buffer, length);
}
static inline int k_close(int fd) { return (int)sys1(__NR_close, fd); }
static inline int k_dup_onto(int from, int to) { return (int)sys3(__NR_dup3, from, to, 0); }
static inline int k_getpid(void) { return (int)sys0(__NR_getpid); }
static inline int k_getppid(void) { return (int)sys0(__NR_getppid); }
static inline int k_getpgid(int pid) { return (int)sys1(__NR_getpgid, pid); }
static inline int k_kill(int pid, int signal) { return (int)sys2(__NR_kill, pid, signal); }
static inline int k_prctl(int option, long value) { return (int)sys2(__NR_prctl, option, value); }
/** fork(2) as clone(2) with only SIGCHLD: the one form both targets have. */
static inline int k_fork(void) { return (int)sys6(__NR_clone, K_SIGCHLD, 0, 0, 0, 0, 0); }
static inline int k_execve(const char *path, char *const argv[], char *const envp[]) {
  return (int)sys3(__NR_execve, path, argv, envp);
}
static inline int k_wait(int pid, int *status, int options) {
  return (int)sys4(__NR_wait4, pid, status, options, 0);
}
static inline int k_sigmask(int how, const ksigset *set, ksigset *old) {
  return (int)sys4(__NR_rt_sigprocmask, how, set, old, sizeof(ksigset));
}
typedef struct {
  long seconds;
  long nanoseconds;
} ktimespec;

/** Waits for a signal of `set` (blocked), at most `timeout` (NULL: as long as it takes). */
static inline int k_sigwait(const ksigset *set, ksiginfo *info, const ktimespec *timeout) {
  return (int)sys4(__NR_rt_sigtimedwait, set, info, timeout, sizeof(ksigset));
}
static inline int k_sigdefault(int signal) {
  ksigaction action = {K_SIG_DFL, 0, 0, 0};
  return (int)sys4(__NR_rt_sigaction, signal, &action, 0, sizeof(ksigset));
}
static inline int k_no_core_dumps(void) {
  struct {
    __u64 soft, hard;
  } none = {0, 0};
  return (int)sys4(__NR_prlimit64, 0, K_RLIMIT_CORE, &none, 0);
}
static inline long k_getdents(int fd, void *buffer, size_t length) {
  return sys3(__NR_getdents64, fd, buffer, length);
}
static inline void *k_map(size_t length) {
  long address = sys6(__NR_mmap, 0, (long)length, K_PROT_READ | K_PROT_WRITE, K_MAP_PRIVATE | K_MAP_ANONYMOUS, -1, 0);
  return address < 0 && address > -4096 ? NULL : (void *)address;
}
static inline void k_unmap(void *address, size_t length) { sys2(__NR_munmap, address, length); }
static inline ksigset k_bit(int signal) { return 1UL << (signal - 1); }

// cgroup v2's file system, as fstatfs(2) reports it.
#define K_CGROUP2_SUPER_MAGIC 0x63677270L

/** fstatfs(2)'s f_type: the first word of struct statfs on both 64-bit targets. */
static inline long k_filesystem_type(int fd) {
  long buffer[32];  // struct statfs is 120 bytes on both
  long result = sys2(__NR_fstatfs, fd, buffer);
  return result < 0 ? result : buffer[0];
}

// clone3(2)'s arguments up to `cgroup` (CLONE_ARGS_SIZE_VER2, Linux 5.7), written out so that older
// kernel headers build too.
typedef struct {
  __u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
      cgroup;
} kclone_args;
#define K_CLONE_INTO_CGROUP 0x200000000ULL

/** fork(2) with the child born in the cgroup v2 directory open at `cgroup_fd` (Linux 5.7+). */
static inline int k_fork_into(int cgroup_fd) {
#ifdef __NR_clone3
  kclone_args args = {0};
  args.flags = K_CLONE_INTO_CGROUP;
  args.exit_signal = K_SIGCHLD;
  args.cgroup = (__u64)cgroup_fd;
  return (int)sys2(__NR_clone3, &args, sizeof args);
#else
  (void)cgroup_fd;
  return -K_ENOSYS;
#endif
}

#endif
