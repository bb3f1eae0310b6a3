/* Signal entry and return for libckpt.so's checkpoint handler.
 *
 * arch_signal_entry is what rt_sigaction installs.  The kernel enters a
 * handler with rsp % 16 == 8 (as after a call), but qemu-user 7.2 enters
 * it with rsp % 16 == 0; realign here so the C handler may keep SSE values
 * on its stack under both.  Arguments (sig, info, ucontext) pass through.
 *
 * arch_sigreturn is the SA_RESTORER trampoline: the handler's return
 * address points here, and rt_sigreturn restores the interrupted context
 * (registers, FPU state, signal mask, altstack) from the frame.
 */
	.text
	.globl arch_signal_entry
	.hidden arch_signal_entry
	.type arch_signal_entry, @function
arch_signal_entry:
	pushq %rbp
	movq %rsp, %rbp
	andq $-16, %rsp
	call ckpt_signal_handler
	movq %rbp, %rsp
	popq %rbp
	ret
	.size arch_signal_entry, .-arch_signal_entry

	.globl arch_sigreturn
	.hidden arch_sigreturn
	.type arch_sigreturn, @function
arch_sigreturn:
	movl $15, %eax              /* __NR_rt_sigreturn */
	syscall
	hlt
	.size arch_sigreturn, .-arch_sigreturn

	.section .note.GNU-stack,"",@progbits
