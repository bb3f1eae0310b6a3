/* myrestart's jump into a saved context.
 *
 * void arch_ctx_jump(const struct arch_regs *r, const void *xarea, long mode,
 *                    long ret)
 *   Last act of a restart, in each thread: restores the extended state
 *   (mode as for arch_ctx_save: 0 none, 1 fxrstor, 2 xrstor), moves to the
 *   saved stack, restores the callee-saved registers and rflags and
 *   returns into the saved context with rax = ret.  The thread pointer was
 *   set by the caller just before.  (A thread says it has left
 *   myrestart's memory from the library's code, once back there.)
 */
	.text
	.globl arch_ctx_jump
	.type arch_ctx_jump, @function
arch_ctx_jump:
	movq %rcx, %r9              /* ret */
	cmpq $1, %rdx
	je 1f
	cmpq $2, %rdx
	jne 3f
	movl $-1, %eax
	movl $-1, %edx
	xrstor64 (%rsi)
	jmp 2f
1:	fxrstor64 (%rsi)
	jmp 2f
3:	ldmxcsr 0x58(%rdi)
	fldcw 0x5c(%rdi)
2:	movq 0x30(%rdi), %rsp       /* the program's stack from here on */
	pushq 0x38(%rdi)            /* rip, consumed by ret */
	pushq 0x40(%rdi)            /* rflags, consumed by popfq */
	movq 0x00(%rdi), %rbx
	movq 0x08(%rdi), %rbp
	movq 0x10(%rdi), %r12
	movq 0x18(%rdi), %r13
	movq 0x20(%rdi), %r14
	movq 0x28(%rdi), %r15
	movq %r9, %rax
	popfq
	ret
	.size arch_ctx_jump, .-arch_ctx_jump

	.section .note.GNU-stack,"",@progbits
