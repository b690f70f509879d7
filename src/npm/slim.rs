//! The npm build's runtime (feature `slim`): a panic handler that aborts without formatting, so
//! `core::fmt` stays out of the wasm, and a bump allocator.
//!
//! Why a bump allocator is enough here: the core keeps no state between calls. Every export
//! allocates while it runs and frees everything before it returns (wasm-bindgen copies returned
//! strings out and frees them at once), so the number of live allocations drops back to zero after
//! each call, and then the whole arena is reused from its start. Memory is bounded by the largest
//! single call; there is no fragmentation to manage, and the allocator is a few hundred bytes
//! instead of dlmalloc's several kilobytes.

#![allow(unsafe_code)] // GlobalAlloc is an unsafe trait; the unsafety is confined to this file.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::Cell;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    wasm32::unreachable()
}

const PAGE: usize = 65536;

struct Arena {
    /// First byte of the arena (0 until the first allocation grows memory).
    base: Cell<usize>,
    /// Next free byte.
    next: Cell<usize>,
    /// One past the last byte the arena owns.
    end: Cell<usize>,
    /// Allocations not yet freed.
    live: Cell<usize>,
}

// SAFETY: wasm32-unknown-unknown without the atomics feature runs one thread; the cells are
// never touched concurrently.
unsafe impl Sync for Arena {}

#[global_allocator]
static ARENA: Arena = Arena {
    base: Cell::new(0),
    next: Cell::new(0),
    end: Cell::new(0),
    live: Cell::new(0),
};

impl Arena {
    /// Makes room for `size` more bytes after `end` by growing linear memory.
    fn grow(&self, needed_end: usize) -> bool {
        let pages = (needed_end - self.end.get()).div_ceil(PAGE);
        let previous = wasm32::memory_grow(0, pages);
        if previous == usize::MAX {
            return false;
        }
        let start = previous * PAGE;
        if self.end.get() != start {
            // The first growth, or memory grew elsewhere since: a fresh arena starts there.
            // Live blocks in the old region stay valid until they are freed.
            self.base.set(start);
            self.next.set(start);
        }
        self.end.set(start + pages * PAGE);
        true
    }
}

// SAFETY: `alloc` returns either null or a block of at least `layout.size()` bytes aligned to
// `layout.align()` that no other live allocation overlaps: blocks are carved from
// [next, end) which only moves forward until every block has been freed.
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let align = layout.align();
        let start = (self.next.get() + align - 1) & !(align - 1);
        let Some(stop) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if stop > self.end.get() || self.end.get() == 0 {
            if !self.grow(stop.max(self.end.get() + layout.size() + align)) {
                return core::ptr::null_mut();
            }
            return self.alloc(layout);
        }
        self.next.set(stop);
        self.live.set(self.live.get() + 1);
        start as *mut u8
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {
        let live = self.live.get().saturating_sub(1);
        self.live.set(live);
        if live == 0 {
            self.next.set(self.base.get());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The most recent block grows in place.
        if ptr as usize + layout.size() == self.next.get() {
            if let Some(stop) = (ptr as usize).checked_add(new_size) {
                if stop <= self.end.get() {
                    self.next.set(stop);
                    return ptr;
                }
            }
        }
        // SAFETY: forwarded contract of `GlobalAlloc::realloc`.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as above.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are valid for the smaller size and do not overlap.
            unsafe {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}
