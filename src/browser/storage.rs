//! Where the session lives: `localStorage`, `sessionStorage`, memory, or a storage of the app's,
//! tried in a chain (docs/architecture.md, rule 2): a storage that throws (disabled, full, privacy
//! mode) is left for the next one, for good, with one warning.

use alloc::rc::Rc;
use core::cell::RefCell;

use crate::protocol::error::{Error, ErrorCode};
use crate::protocol::shell::client_error;
use crate::protocol::tabs;

/// A storage refused a call (it threw: disabled, full, privacy mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageError;

/// A key-value storage of strings, for [`StorageKind::Custom`]. Implement it over what the app
/// already has (IndexedDB mirrored in memory, a Tauri store, a cookie jar). The tabs of the origin
/// are taken to share it, as they share `localStorage`.
pub trait Storage {
    /// The value under `key`, `None` when there is none.
    fn get_item(&self, key: &str) -> Result<Option<String>, StorageError>;
    /// Stores `value` under `key`.
    fn set_item(&self, key: &str, value: &str) -> Result<(), StorageError>;
    /// Removes `key`.
    fn remove_item(&self, key: &str) -> Result<(), StorageError>;
}

/// Memory: lost with the page, never refuses.
#[derive(Debug, Default)]
pub struct MemoryStorage(RefCell<Vec<(String, String)>>);

impl Storage for MemoryStorage {
    fn get_item(&self, key: &str) -> Result<Option<String>, StorageError> {
        let items = self.0.borrow();
        Ok(items.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }
    fn set_item(&self, key: &str, value: &str) -> Result<(), StorageError> {
        let mut items = self.0.borrow_mut();
        match items.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => value.clone_into(v),
            None => items.push((key.into(), value.into())),
        }
        Ok(())
    }
    fn remove_item(&self, key: &str) -> Result<(), StorageError> {
        self.0.borrow_mut().retain(|(k, _)| k != key);
        Ok(())
    }
}

impl Storage for web_sys::Storage {
    fn get_item(&self, key: &str) -> Result<Option<String>, StorageError> {
        web_sys::Storage::get_item(self, key).map_err(|_| StorageError)
    }
    fn set_item(&self, key: &str, value: &str) -> Result<(), StorageError> {
        web_sys::Storage::set_item(self, key, value).map_err(|_| StorageError)
    }
    fn remove_item(&self, key: &str) -> Result<(), StorageError> {
        web_sys::Storage::remove_item(self, key).map_err(|_| StorageError)
    }
}

/// Which storage keeps the session (the `storage` option of the JS `createClient`).
#[derive(Clone, Default)]
pub enum StorageKind {
    /// `localStorage`, shared by the tabs of the origin; falls back to `sessionStorage`, then
    /// memory. The default, as in supabase-js.
    #[default]
    Local,
    /// `sessionStorage`, the tab's own; falls back to memory.
    Session,
    /// Memory only: signed out on reload. The implicit flow only, or PKCE callbacks finished in
    /// the same page.
    Memory,
    /// The app's own storage, then memory.
    Custom(Rc<dyn Storage>),
}

impl core::fmt::Debug for StorageKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            StorageKind::Local => "Local",
            StorageKind::Session => "Session",
            StorageKind::Memory => "Memory",
            StorageKind::Custom(_) => "Custom",
        })
    }
}

/// An operation on one storage; every one answers as `get_item` does (`None` for the others), so
/// that the chain's code is compiled once.
type Op<'a> = dyn Fn(&dyn Storage) -> Result<Option<String>, StorageError> + 'a;

#[derive(Clone)]
enum Link {
    Local,
    Session,
    Memory(Rc<MemoryStorage>),
    Custom(Rc<dyn Storage>),
}

impl Link {
    fn name(&self) -> &'static str {
        match self {
            Link::Local => "localStorage",
            Link::Session => "sessionStorage",
            Link::Memory(_) => "memory",
            Link::Custom(_) => "the custom storage",
        }
    }

    /// Runs `op` on this storage; a storage the browser will not give is a refusal.
    fn run(&self, op: &Op) -> Result<Option<String>, StorageError> {
        let web = |local: bool| {
            let w = web_sys::window().ok_or(StorageError)?;
            let s = if local {
                w.local_storage()
            } else {
                w.session_storage()
            };
            s.ok().flatten().ok_or(StorageError)
        };
        match self {
            Link::Local => op(&web(true)?),
            Link::Session => op(&web(false)?),
            Link::Memory(m) => op(&**m),
            Link::Custom(c) => op(&**c),
        }
    }
}

/// The chain of storages of one client (rule 2.1), and the keys that live in the first only.
pub(crate) struct Chain {
    links: RefCell<alloc::vec::Vec<Link>>,
    memory_chosen: bool,
    warned: core::cell::Cell<bool>,
    storage_key: String,
}

impl Chain {
    pub(crate) fn new(kind: &StorageKind, storage_key: &str) -> Self {
        let memory = Link::Memory(Rc::default());
        let links = match kind {
            StorageKind::Local => vec![Link::Local, Link::Session, memory],
            StorageKind::Session => vec![Link::Session, memory],
            StorageKind::Memory => vec![memory],
            StorageKind::Custom(c) => vec![Link::Custom(c.clone()), memory],
        };
        Chain {
            links: RefCell::new(links),
            memory_chosen: matches!(kind, StorageKind::Memory),
            warned: core::cell::Cell::new(false),
            storage_key: storage_key.into(),
        }
    }

    fn first(&self) -> Option<Link> {
        self.links.borrow().first().cloned()
    }

    /// Whether the session is in storage of this tab's own (rule 2.5).
    pub(crate) fn owned_by_tab(&self) -> bool {
        self.first().is_some_and(|l| tabs::owned_by_tab(l.name()))
    }

    /// Whether everything but memory has failed, which the app did not choose (rule 2.6).
    pub(crate) fn fell_back_to_memory(&self) -> bool {
        self.links.borrow().len() == 1 && !self.memory_chosen
    }

    /// Runs `op` on the first storage that does not throw (rule 2.2).
    fn with_first(&self, op: &Op) -> Result<Option<String>, Error> {
        loop {
            let link = self
                .first()
                .ok_or(client_error(ErrorCode::StorageUnavailable))?;
            match link.run(op) {
                Ok(v) => return Ok(v),
                Err(StorageError) => {
                    let mut links = self.links.borrow_mut();
                    if links.len() == 1 {
                        return Err(client_error(ErrorCode::StorageUnavailable));
                    }
                    links.remove(0);
                    if !self.warned.replace(true) {
                        let next = links.first().map_or("memory", Link::name);
                        crate::browser::web::warn(
                            &[
                                "supabase-workos: ",
                                link.name(),
                                " is unavailable; the session is kept in ",
                                next,
                                " instead",
                            ]
                            .concat(),
                        );
                    }
                }
            }
        }
    }

    /// Reads the first storage only.
    pub(crate) fn read_first(&self, key: &str) -> Result<Option<String>, Error> {
        self.with_first(&|s| s.get_item(key))
    }

    /// Reads the fallbacks of the chain, when they may hold the key (rule 2.3).
    pub(crate) fn read_fallbacks(&self, key: &str) -> Option<String> {
        if tabs::first_storage_only(&self.storage_key, key) {
            return None;
        }
        let rest: alloc::vec::Vec<Link> = self.links.borrow().iter().skip(1).cloned().collect();
        rest.iter()
            .find_map(|l| l.run(&|s| s.get_item(key)).ok().flatten())
    }

    /// Reads the first storage of the chain that holds the key.
    pub(crate) fn get(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(match self.read_first(key)? {
            Some(v) => Some(v),
            None => self.read_fallbacks(key),
        })
    }

    pub(crate) fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        self.with_first(&|s| s.set_item(key, value).map(|_| None))
            .map(drop)
    }

    /// Removes the key from every storage of the chain that may hold it (rule 2.4); with
    /// `only`, a fallback's copy only while it is that value.
    pub(crate) fn remove(&self, key: &str, only: Option<&str>) -> Result<(), Error> {
        self.with_first(&|s| s.remove_item(key).map(|_| None))?;
        if tabs::first_storage_only(&self.storage_key, key) {
            return Ok(());
        }
        let rest: alloc::vec::Vec<Link> = self.links.borrow().iter().skip(1).cloned().collect();
        for l in rest {
            let _ = l.run(&|s| {
                if only.is_none() || s.get_item(key)?.as_deref() == only {
                    s.remove_item(key)?;
                }
                Ok(None)
            });
        }
        Ok(())
    }
}
