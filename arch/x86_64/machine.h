/* The x86-64 port: everything ckpt knows about the instruction set.
 * core/, restart/ and common/ include this header (the build puts
 * arch/$(ARCH) on the include path) and nothing else of the ISA;
 * arch/PORTING.md says what another port provides, in what order. */
#ifndef CKPT_MACHINE_H
#define CKPT_MACHINE_H

#include <linux/types.h>

#define ARCH_NAME         "x86-64"
#define ARCH_QEMU         "qemu-x86_64"      /* qemu-user's emulator of it */
#define ARCH_ELF_MACHINE  62u                /* EM_X86_64, in the image header */
#define ARCH_USER_END     0x800000000000ul   /* highest user address, 4-level paging */
#define ARCH_RSEQ_SIG     0x53053053u        /* glibc's rseq signature here */
#define ARCH_XSTATE_MAX   16384u             /* largest extended state kept */
#define ARCH_SA_RESTORER  0x04000000ul       /* sigaction flag: our own sigreturn */
#define ARCH_EPOLL_PACKED __attribute__((packed)) /* struct epoll_event is 12 bytes here */

/* The CPU record: registers at the resume point, the return of
 * arch_ctx_save() in the checkpoint handler.  Only what a function call
 * must preserve (the signal frame below holds the rest).  Offsets are
 * used by context.S and restore.S. */
struct arch_regs {
	__u64 rbx, rbp, r12, r13, r14, r15;   /* 0x00 .. 0x28 */
	__u64 rsp, rip, rflags;               /* 0x30, 0x38, 0x40 */
	__u64 fs_base, gs_base;               /* 0x48, 0x50: thread pointers */
	__u32 mxcsr, fcw;                     /* 0x58, 0x5c */
};

/* The extended-state record: this header, then size bytes of xsave (or
 * fxsave, when features is 0) area. */
struct arch_xstate {
	__u64 features;          /* XCR0 bits saved; 0: a 512-byte fxsave area */
	__u32 size;
	__u32 pad;
};

static inline __u64 arch_pc(const struct arch_regs *r) { return r->rip; }

/* A signal's ucontext, as the kernel and qemu-user lay it out: the
 * interrupted thread's general registers from byte 40 (uc_flags,
 * uc_link, uc_stack before them); its next instruction, its first
 * argument register and its result register. */
static inline __u64 *arch_uc_reg(void *uc, unsigned i) { return (__u64 *)((char *)uc + 40) + i; }
#define ARCH_UC_PC  16u      /* REG_RIP */
#define ARCH_UC_ARG 8u       /* REG_RDI */
#define ARCH_UC_RET 13u      /* REG_RAX */
/* does the instruction before pc make a system call? */
static inline int arch_after_syscall(__u64 pc)
{
	const unsigned char *p = (const unsigned char *)pc - 2;
	return p[0] == 0x0f && p[1] == 0x05;
}
/* the lowest byte of the stack the resume point uses */
static inline __u64 arch_sp(const struct arch_regs *r) { return r->rsp - 8; }
/* the thread pointer saved in r (clone's CLONE_SETTLS argument) */
static inline __u64 arch_tp_of(const struct arch_regs *r) { return r->fs_base; }

/* cpu.c */
/* this CPU's extended state: what arch_ctx_save saves here */
void arch_xstate_probe(struct arch_xstate *x);
/* 1 when x has sizes this port accepts */
int arch_xstate_valid(const struct arch_xstate *x);
/* 1 when state saved as img can be restored on a CPU with here */
int arch_xstate_fits(const struct arch_xstate *img, const struct arch_xstate *here);
/* the names of the state components, bit by bit (XCR0's, as the SDM
 * and the kernel name them), for the refusal of an image this CPU cannot
 * restore */
#define ARCH_XSTATE_NAMES "x87\0sse\0avx\0mpx-bndregs\0mpx-bndcsr\0avx512-opmask\0avx512-zmm_hi256\0" \
	"avx512-hi16_zmm\0pt\0pkru\0pasid\0cet-u\0cet-s\0hdc\0uintr\0lbr\0hwp\0amx-tilecfg\0amx-tiledata\0apx"
#define ARCH_XSTATE_NNAMES 20
/* what img needs that here lacks: the components (a CPU without xsave
 * has fxsave's x87 and SSE state), and in *insn whether it is the xsave
 * instruction too */
static inline __u64 arch_xstate_missing(const struct arch_xstate *img, const struct arch_xstate *here, int *insn)
{
	*insn = img->features && !here->features;
	return img->features & ~(here->features ? here->features : 3);
}
/* the calling thread's thread pointers into r, and back from r */
void arch_tls_save(struct arch_regs *r);
void arch_tls_restore(const struct arch_regs *r);
/* the thread pointer (glibc's struct rseq sits near it) */
unsigned long arch_tp(void);
/* qemu-user keeps state of its own in guest memory (x86: the emulated
 * GDT and IDT): up to max page addresses a restart must not touch */
unsigned arch_qemu_pages(__u64 *pages, unsigned max);

/* crc32c.c: CRC32C with the CPU's own instruction, on the inverted
 * register as common/crc32c.c keeps it; arch_crc32c_ok() tells whether
 * the CPU has it (else common/crc32c.c computes bit by bit) */
int arch_crc32c_ok(void);
__u32 arch_crc32c(__u32 crc, const unsigned char *p, __u64 n);

/* context.S: registers (and the extended state in the mode that
 * arch_xstate_mode() names) into r and area; returns 0, and 1 when a
 * restart jumps back into it */
long arch_ctx_save(struct arch_regs *r, void *area, long mode);
/* restore.S: the opposite, never returns: arch_ctx_save() returns ret
 * (non-zero) there */
__attribute__((noreturn)) void arch_ctx_jump(const struct arch_regs *r, const void *area, long mode, long ret);
/* thread.S: a thread (clone flags) that starts on stack_top in fn(arg);
 * its tid, or -errno */
long arch_clone_thread(unsigned long flags, unsigned long stack_top, int *ctid, unsigned long tls,
		       void (*fn)(void *), void *arg);
/* the same by clone3, its arguments (set_tid: an exact tid) at args */
struct clone_args;
long arch_clone3_thread(struct clone_args *args, unsigned long size, void (*fn)(void *), void *arg);
enum arch_xstate_mode {        /* the mode argument of context.S/restore.S */
	ARCH_XSTATE_NONE = 0,         /* registers only (restore.S: mxcsr, fcw) */
	ARCH_XSTATE_FXSAVE = 1,
	ARCH_XSTATE_XSAVE = 2,
};
static inline long arch_xstate_mode(const struct arch_xstate *x)
{
	return x->features ? ARCH_XSTATE_XSAVE : ARCH_XSTATE_FXSAVE;
}
/* signal.S: the handler's entry (aligns the stack, calls
 * ckpt_signal_handler) and the sigreturn trampoline */
void arch_signal_entry(void);
void arch_sigreturn(void);
/* stack.S: fn(arg) on the stack that ends at top; never returns */
__attribute__((noreturn)) void arch_switch_stack(unsigned long top, void (*fn)(void *), void *arg);

#endif
