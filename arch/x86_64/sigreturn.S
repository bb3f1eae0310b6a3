/* arch_sigreturn, the SA_RESTORER trampoline of every handler we install
 * (libckpt.so's checkpoint handler, myrestart's signal forwarding): the
 * handler's return address points here, and rt_sigreturn restores the
 * interrupted context (registers, FPU state, signal mask, altstack) from
 * the frame.  A file of its own, so that myrestart links it without the
 * library's handler entry. */
	.text
	.globl arch_sigreturn
	.hidden arch_sigreturn
	.type arch_sigreturn, @function
arch_sigreturn:
	movl $15, %eax              /* __NR_rt_sigreturn */
	syscall
	hlt
	.size arch_sigreturn, .-arch_sigreturn

	.section .note.GNU-stack,"",@progbits
