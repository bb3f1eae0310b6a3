/* Signal entry and return for libckpt.so's checkpoint handler.
 *
 * ckpt_signal_entry is what rt_sigaction installs.  The kernel enters a
 * handler with rsp % 16 == 8 (as after a call), but qemu-user 7.2 enters
 * it with rsp % 16 == 0; realign here so the C handler may keep SSE values
 * on its stack under both.  Arguments (sig, info, ucontext) pass through.
 *
 * ckpt_sigreturn is the SA_RESTORER trampoline: the handler's return
 * address points here, and rt_sigreturn restores the interrupted context
 * (registers, FPU state, signal mask, altstack) from the frame.
 */
	.text
	.globl ckpt_signal_entry
	.hidden ckpt_signal_entry
	.type ckpt_signal_entry, @function
ckpt_signal_entry:
	pushq %rbp
	movq %rsp, %rbp
	andq $-16, %rsp
	call ckpt_signal_handler
	movq %rbp, %rsp
	popq %rbp
	ret
	.size ckpt_signal_entry, .-ckpt_signal_entry

	.globl ckpt_sigreturn
	.hidden ckpt_sigreturn
	.type ckpt_sigreturn, @function
ckpt_sigreturn:
	movl $15, %eax              /* __NR_rt_sigreturn */
	syscall
	hlt
	.size ckpt_sigreturn, .-ckpt_sigreturn

	.section .note.GNU-stack,"",@progbits
