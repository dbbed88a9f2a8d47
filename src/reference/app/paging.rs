//! Cursor pagination: a page of a list starts after the item whose id the caller names.

use super::error::ApiError;

/// Which page of a list to return.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PageRequest<'a> {
    /// The id of the last item of the previous page (exclusive); `None` for the first page.
    pub after: Option<&'a str>,
    /// The most items a page holds.
    pub limit: usize,
}

impl PageRequest<'_> {
    /// The whole list as one page.
    pub(crate) const ALL: PageRequest<'static> = PageRequest {
        after: None,
        limit: usize::MAX,
    };
}

/// One page of a list, and whether items follow it.
#[derive(Debug)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub has_more: bool,
}

/// The page of `items` that `req` asks for. A cursor naming no item of the list is refused
/// (400) rather than read as the start, so a caller never silently sees the first page again.
pub(crate) fn page<T>(
    items: Vec<T>,
    req: PageRequest,
    id: impl Fn(&T) -> &str,
) -> Result<Page<T>, ApiError> {
    let start = match req.after {
        None => 0,
        Some(cursor) => {
            items
                .iter()
                .position(|item| id(item) == cursor)
                .ok_or(ApiError::BadRequest("unknown cursor"))?
                + 1
        }
    };
    let total = items.len();
    let items: Vec<T> = items.into_iter().skip(start).take(req.limit).collect();
    let has_more = start + items.len() < total;
    Ok(Page { items, has_more })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(after: Option<&str>, limit: usize) -> Result<(Vec<&'static str>, bool), ApiError> {
        let list = vec!["a", "b", "c", "d", "e"];
        let p = page(list, PageRequest { after, limit }, |s| s)?;
        Ok((p.items, p.has_more))
    }

    #[test]
    fn pages_start_after_the_cursor() {
        assert_eq!(ids(None, 2), Ok((vec!["a", "b"], true)));
        assert_eq!(ids(Some("b"), 2), Ok((vec!["c", "d"], true)));
        assert_eq!(ids(Some("d"), 2), Ok((vec!["e"], false)));
        assert_eq!(ids(Some("c"), 2), Ok((vec!["d", "e"], false)));
        assert_eq!(ids(Some("e"), 2), Ok((vec![], false)));
        assert_eq!(
            ids(None, usize::MAX),
            Ok((vec!["a", "b", "c", "d", "e"], false))
        );
        assert_eq!(
            ids(Some("zz"), 2),
            Err(ApiError::BadRequest("unknown cursor"))
        );
    }
}
