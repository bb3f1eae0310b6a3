/* void arch_switch_stack(void *top, void (*fn)(void *), void *arg)
 *
 * Moves rsp to a new stack and calls fn(arg) there; fn never returns.
 * myrestart uses it to leave the kernel-provided [stack] (which it then
 * unmaps) for its own at 0x5300000; libckpt.so's image writer uses it so
 * that it never scribbles on the program's stack while copying it.
 */
	.text
	.globl arch_switch_stack
	.hidden arch_switch_stack
	.type arch_switch_stack, @function
arch_switch_stack:
	movq %rdi, %rsp
	xorl %ebp, %ebp
	movq %rdx, %rdi
	call *%rsi
	ud2
	.size arch_switch_stack, .-arch_switch_stack

	.section .note.GNU-stack,"",@progbits
