//! The npm build's runtime (feature `slim`): a panic handler that aborts without formatting, so
//! `core::fmt` stays out of the wasm, and a small allocator. The core never panics on input; a
//! panic here could only be a bug, and it traps instead of printing.

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;
