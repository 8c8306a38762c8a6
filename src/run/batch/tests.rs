//! The ordered parallel map.

use super::map_ordered;
use crate::run::load::par_map;

#[test]
fn the_ordered_map_keeps_the_items_order_whatever_the_workers() {
    for n in [0, 1, 2, 7, 64, 200] {
        let items: Vec<usize> = (0..n).collect();
        let squares: Vec<usize> = items.iter().map(|i| i * i).collect();
        assert_eq!(par_map(&items, |i| i * i), squares, "{n} items");
        for workers in [1, 2, 3, 300] {
            let mut got = Vec::new();
            map_ordered(
                &items,
                workers,
                |i| i * i,
                |r| {
                    got.push(r);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(got, squares, "{n} items, {workers} workers");
        }
    }
}

#[test]
fn the_ordered_map_stops_at_the_first_error_of_emit() {
    let items: Vec<usize> = (0..100).collect();
    let mut got = Vec::new();
    let r = map_ordered(
        &items,
        2,
        |i| *i,
        |i| {
            if i == 10 {
                return Err(std::io::Error::other("full"));
            }
            got.push(i);
            Ok(())
        },
    );
    assert!(r.is_err());
    assert_eq!(got, (0..10).collect::<Vec<_>>());
}
