/* Context save for libckpt.so (offsets: struct arch_regs in machine.h).
 *
 * long arch_ctx_save(struct arch_regs *r, void *xarea, long mode)
 *   mode 0: registers only; 1: fxsave64 into xarea (16-byte aligned);
 *   2: xsave64 of every feature enabled in XCR0 (xarea 64-byte aligned,
 *   zeroed header expected by the caller).
 * Returns 0.  When myrestart later jumps into the saved context, the same
 * call returns a second time, with 1: like setjmp, but across processes.
 */
	.text
	.globl arch_ctx_save
	.hidden arch_ctx_save
	.type arch_ctx_save, @function
arch_ctx_save:
	movq %rbx, 0x00(%rdi)
	movq %rbp, 0x08(%rdi)
	movq %r12, 0x10(%rdi)
	movq %r13, 0x18(%rdi)
	movq %r14, 0x20(%rdi)
	movq %r15, 0x28(%rdi)
	leaq 8(%rsp), %rax          /* rsp as the caller sees it after ret */
	movq %rax, 0x30(%rdi)
	movq (%rsp), %rax           /* resume at our return address */
	movq %rax, 0x38(%rdi)
	pushfq
	popq %rax
	movq %rax, 0x40(%rdi)
	stmxcsr 0x58(%rdi)
	fnstcw 0x5c(%rdi)
	cmpq $1, %rdx
	je 1f
	cmpq $2, %rdx
	jne 2f
	movl $-1, %eax              /* every feature XCR0 enables */
	movl $-1, %edx
	xsave64 (%rsi)
	jmp 2f
1:	fxsave64 (%rsi)
2:	xorl %eax, %eax
	ret
	.size arch_ctx_save, .-arch_ctx_save

	.section .note.GNU-stack,"",@progbits
