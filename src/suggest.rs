//! "Did you mean": the known name closest to a misspelt one, used for uWSGI option names,
//! zerg.toml keys and rule codes alike.

/// The candidate closest to `wanted` by edit distance (a swap of two neighbouring characters
/// counts as one edit), if it is close enough to be a likely typo: short names get little slack,
/// so that unrelated words are not mistaken for typos. Ties go to the candidate sharing the
/// longer prefix, then to the earlier one.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted: Vec<char> = wanted.chars().collect();
    let budget = typo_budget(wanted.len());
    if budget == 0 {
        return None;
    }

    // Ranked by distance, then by the longer shared prefix (a typo rarely sits in the first
    // characters), then by order.
    let mut best: Option<(usize, usize, &'a str)> = None;
    for candidate in candidates {
        let limit = best.map_or(budget, |(distance, _, _)| distance);
        let Some(distance) = edit_distance_within(&wanted, candidate, limit) else {
            continue;
        };

        let prefix = wanted.iter().zip(candidate.chars()).take_while(|(a, b)| **a == *b).count();
        let better = best.is_none_or(|(best_distance, best_prefix, _)| {
            distance < best_distance || (distance == best_distance && prefix > best_prefix)
        });
        if better {
            best = Some((distance, prefix, candidate));
        }
    }

    best.map(|(_, _, name)| name)
}

/// How many edits a misspelling of a name this long may contain and still count as a typo.
fn typo_budget(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        8..=15 => 2,
        _ => 3,
    }
}

/// The optimal-string-alignment distance between `wanted` and `candidate`, if it is at most
/// `limit`; `None` otherwise (computed with an early exit, since most names are far apart).
fn edit_distance_within(wanted: &[char], candidate: &str, limit: usize) -> Option<usize> {
    let candidate: Vec<char> = candidate.chars().collect();
    if wanted.len().abs_diff(candidate.len()) > limit {
        return None;
    }

    // Three rolling rows: the one before the previous is needed to score transpositions.
    let width = candidate.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];

    for (i, &wc) in wanted.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];

        for (j, &cc) in candidate.iter().enumerate() {
            let substitution = previous[j] + usize::from(wc != cc);
            let mut cell = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            if i > 0 && j > 0 && wc == candidate[j - 1] && wanted[i - 1] == cc {
                cell = cell.min(before[j - 1] + 1);
            }
            current[j + 1] = cell;
            row_min = row_min.min(cell);
        }

        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }

    let distance = previous[candidate.len()];
    (distance <= limit).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested() {
        let keys = ["address", "protocol", "socket"];
        assert_eq!(closest("adress", keys), Some("address"));
        assert_eq!(closest("sokcet", keys), Some("socket"));
        assert_eq!(closest("galaxy", keys), None);
        assert_eq!(closest("ad", keys), None);
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        let wanted: Vec<char> = "mstaer".chars().collect();
        assert_eq!(edit_distance_within(&wanted, "master", 3), Some(2));
        let wanted: Vec<char> = "msater".chars().collect();
        assert_eq!(edit_distance_within(&wanted, "master", 3), Some(1));
        assert_eq!(edit_distance_within(&wanted, "processes", 2), None);
    }
}
