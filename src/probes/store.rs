//! What one check's probe leaves for the checks that need it: the accessibility audit of the
//! profile's pages is made once, by one check, and judged criterion by criterion by the checks
//! that name it in `needs:`. Values are kept by the id of the check that made them, so which
//! check made what stays in that check's evidence.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::model::Located;

/// The run's store of probe products, by the id of the check that made each.
#[derive(Debug, Default)]
pub struct RunStore {
    kept: Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>,
}

/// A check's window on the store: it puts under its own id and reads what the checks it needs
/// put.
#[derive(Debug, Clone, Copy)]
pub struct StoreView<'a> {
    pub store: &'a RunStore,
    /// The running check's id.
    pub own: &'a str,
    /// The ids of the checks it needs, in the order its `needs:` gives.
    pub needs: &'a [Located<String>],
}

impl StoreView<'_> {
    /// Keeps `value` under the running check's id (replacing what it kept before).
    pub fn put<T: Any + Send + Sync>(&self, value: Arc<T>) {
        if let Ok(mut kept) = self.store.kept.lock() {
            kept.insert(self.own.to_string(), value);
        }
    }

    /// The first value of type `T` a needed check kept, with that check's id.
    pub fn needed<T: Any + Send + Sync>(&self) -> Option<(String, Arc<T>)> {
        let kept = self.store.kept.lock().ok()?;
        self.needs.iter().find_map(|id| {
            let v = kept.get(id.as_str())?.clone();
            v.downcast::<T>().ok().map(|t| (id.value.clone(), t))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_reads_only_what_the_checks_it_needs_kept_and_of_the_type_it_asks() {
        let store = RunStore::default();
        let none: &[Located<String>] = &[];
        let maker = StoreView {
            store: &store,
            own: "acc.pages",
            needs: none,
        };
        maker.put(Arc::new(7_u32));
        let needs = [
            Located::new("other".to_string()),
            Located::new("acc.pages".to_string()),
        ];
        let reader = StoreView {
            store: &store,
            own: "acc.wcag.1.1.1",
            needs: &needs,
        };
        assert_eq!(
            reader.needed::<u32>().map(|(id, v)| (id, *v)),
            Some(("acc.pages".to_string(), 7))
        );
        assert!(reader.needed::<String>().is_none(), "another type");
        let stranger = StoreView {
            store: &store,
            own: "x",
            needs: none,
        };
        assert!(stranger.needed::<u32>().is_none(), "not needed, not seen");
    }
}
