/* Signal entry and return for libckpt.so's checkpoint handler.
 *
 * arch_signal_entry is what rt_sigaction installs.  The kernel enters a
 * handler with rsp % 16 == 8 (as after a call), but qemu-user 7.2 enters
 * it with rsp % 16 == 0; realign here so the C handler may keep SSE values
 * on its stack under both.  Arguments (sig, info, ucontext) pass through.
 * Its return goes to arch_sigreturn (sigreturn.S).
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

	.section .note.GNU-stack,"",@progbits
