//! Elements of a `for each` list that share an `identified by` ID.

use crate::decision::Item;

/// Lists this short are compared pairwise: no allocation on the common path.
const PAIRWISE: usize = 32;

/// Each element whose ID an earlier element has, with that earlier element: pairs of
/// positions in `items` (first, later), ordered by the later. Elements identified by
/// their path (no ID, or one that could not be read) are left out.
pub(crate) fn duplicate_ids(items: &[Item]) -> Vec<(usize, usize)> {
    let has_id = |i: &Item| i.id != i.path;
    let mut out = Vec::new();
    if items.len() <= PAIRWISE {
        for (j, later) in items.iter().enumerate().filter(|(_, i)| has_id(i)) {
            if let Some(first) = items[..j]
                .iter()
                .position(|earlier| has_id(earlier) && earlier.id == later.id)
            {
                out.push((first, j));
            }
        }
        return out;
    }
    thread_local! {
        // Kept per thread: a decision over a long list sorts without allocating.
        static ORDER: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    ORDER.with(|order| {
        let Ok(mut order) = order.try_borrow_mut() else {
            return;
        };
        order.clear();
        order.extend((0..items.len()).filter(|&i| has_id(&items[i])));
        order.sort_unstable_by(|&a, &b| items[a].id.cmp(&items[b].id).then(a.cmp(&b)));
        let mut first: Option<usize> = None;
        for &j in order.iter() {
            match first {
                Some(f) if items[f].id == items[j].id => out.push((f, j)),
                _ => first = Some(j),
            }
        }
    });
    out.sort_by_key(|&(_, j)| j);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Outcome;

    fn item(id: &str, path: &str) -> Item {
        Item {
            id: id.into(),
            path: path.into(),
            decision: Outcome::Allowed,
            matched: Vec::new(),
            errors: Vec::new(),
            not_matched: Vec::new(),
        }
    }

    fn items(ids: &[&str]) -> Vec<Item> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| {
                let path = format!("r[{i}]");
                item(if id.is_empty() { &path } else { id }, &path)
            })
            .collect()
    }

    #[test]
    fn a_repeated_id_is_found_with_the_first_element_that_has_it() {
        assert_eq!(
            duplicate_ids(&items(&["a", "b", "c", "a", "b", "a"])),
            [(0, 3), (1, 4), (0, 5)]
        );
        assert!(duplicate_ids(&items(&["a", "b", "c"])).is_empty());
        // Elements without an ID are identified by their path: never a duplicate.
        assert!(duplicate_ids(&items(&["", "", "x"])).is_empty());
    }

    #[test]
    fn long_lists_give_what_pairwise_comparison_gives() {
        let ids: Vec<String> = (0..200).map(|i| format!("id{}", (i * 7) % 150)).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let long = items(&refs);
        let mut pairwise = Vec::new();
        for j in 0..long.len() {
            if let Some(f) = (0..j).find(|&i| long[i].id == long[j].id) {
                pairwise.push((f, j));
            }
        }
        assert!(!pairwise.is_empty());
        assert_eq!(duplicate_ids(&long), pairwise);
    }
}
