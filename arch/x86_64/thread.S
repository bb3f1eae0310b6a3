/* long arch_clone_thread(unsigned long flags, unsigned long stack_top,
 *                        int *ctid, unsigned long tls,
 *                        void (*fn)(void *), void *arg)
 *
 * clone(2) of a thread that starts on stack_top by calling fn(arg) (which
 * never returns); the caller gets the new thread's tid, or -errno.  In
 * C the child could not go on: its stack is not the caller's.
 */
	.text
	.globl arch_clone_thread
	.hidden arch_clone_thread
	.type arch_clone_thread, @function
arch_clone_thread:
	pushq %r12
	pushq %r13
	movq %r8, %r12              /* fn and arg live on in the child */
	movq %r9, %r13
	movq %rdx, %r10             /* clone(flags, stack, ptid, ctid, tls) */
	movq %rcx, %r8
	xorl %edx, %edx
	movl $56, %eax              /* __NR_clone */
	syscall
.Lcloned:                           /* (arch_clone3_thread's too) */
	testq %rax, %rax
	jz 1f
	popq %r13
	popq %r12
	ret
1:	xorl %ebp, %ebp             /* the child, on stack_top */
	andq $-16, %rsp
	movq %r13, %rdi
	call *%r12
	ud2
	.size arch_clone_thread, .-arch_clone_thread

/* long arch_clone3_thread(struct clone_args *args, unsigned long size,
 *                         void (*fn)(void *), void *arg)
 *
 * The same by clone3(2), for a thread with a tid of its choosing
 * (args->set_tid): the kernel starts the child on args' stack top; the
 * rest is arch_clone_thread's.
 */
	.globl arch_clone3_thread
	.hidden arch_clone3_thread
	.type arch_clone3_thread, @function
arch_clone3_thread:
	pushq %r12
	pushq %r13
	movq %rdx, %r12
	movq %rcx, %r13
	movl $435, %eax             /* __NR_clone3 */
	syscall
	jmp .Lcloned                /* the same two pushes: the same return */
	.size arch_clone3_thread, .-arch_clone3_thread

	.section .note.GNU-stack,"",@progbits
