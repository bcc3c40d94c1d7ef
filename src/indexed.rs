//! Results that come back by index, in any order, from threads or processes: put in order. A
//! leaf, used by the renderer and by the output's writer threads alike.

/// Results that came by index in any order, in the order of their indices (`None` where an
/// index got none).
pub fn in_order<R>(results: Vec<(usize, R)>, count: usize) -> Vec<Option<R>> {
    let mut ordered: Vec<Option<R>> = (0..count).map(|_| None).collect();
    for (index, result) in results {
        ordered[index] = Some(result);
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_take_their_places_and_gaps_stay_empty() {
        let ordered = in_order(vec![(2, "c"), (0, "a")], 4);
        assert_eq!(ordered, [Some("a"), None, Some("c"), None]);
    }
}
