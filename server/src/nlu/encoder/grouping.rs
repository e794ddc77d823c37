//! Which commands share a forward pass. A pass pads every row to its
//! longest, and on a compute-bound CPU a padding token costs as much as a
//! real one, so a batch mixing "status" with a two-line request spends most
//! of its time on padding. Sorting by length and cutting where the padding
//! would grow too large keeps nearly all of the work real.

/// Most rows in one pass: beyond this a pass gains nothing on a CPU and
/// only holds the batch's first command back.
pub const MAX_ROWS: usize = 32;

/// How much padding a group may carry, as a share of its real tokens.
const SLACK: f32 = 0.2;

/// Groups of indices into `lengths` (each group sorted by length, longest
/// last); every index appears in exactly one group.
pub fn by_length(lengths: &[usize]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| lengths[i]);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut real = 0usize;
    for i in order {
        let width = lengths[i];
        let padded = (current.len() + 1) * width;
        let fits =
            current.len() < MAX_ROWS && padded as f32 <= (real + width) as f32 * (1.0 + SLACK);
        if !fits && !current.is_empty() {
            groups.push(std::mem::take(&mut current));
            real = 0;
        }
        current.push(i);
        real += width;
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded_cost(lengths: &[usize], groups: &[Vec<usize>]) -> usize {
        groups
            .iter()
            .map(|g| g.len() * g.iter().map(|&i| lengths[i]).max().unwrap_or(0))
            .sum()
    }

    #[test]
    fn every_index_lands_in_one_group() {
        let lengths = [5, 30, 7, 5, 18, 30, 6, 12, 5];
        let groups = by_length(&lengths);
        let mut seen: Vec<usize> = groups.iter().flatten().copied().collect();
        seen.sort();
        assert_eq!(seen, (0..lengths.len()).collect::<Vec<_>>());
        assert!(groups.iter().all(|g| !g.is_empty()));
    }

    #[test]
    fn short_and_long_commands_do_not_share_padding() {
        let lengths = [5, 30, 5, 30, 5, 30, 5, 30];
        let groups = by_length(&lengths);
        assert_eq!(groups.len(), 2, "{groups:?}");
        let real: usize = lengths.iter().sum();
        assert_eq!(padded_cost(&lengths, &groups), real);
        // One padded pass would have cost 8 × 30.
        assert!(padded_cost(&lengths, &[(0..8).collect()]) > real);
    }

    #[test]
    fn padding_stays_within_the_slack_and_groups_are_capped() {
        let lengths: Vec<usize> = (0..100).map(|i| 4 + (i * 7) % 29).collect();
        let groups = by_length(&lengths);
        for g in &groups {
            assert!(g.len() <= MAX_ROWS);
            let real: usize = g.iter().map(|&i| lengths[i]).sum();
            let padded = g.len() * g.iter().map(|&i| lengths[i]).max().unwrap();
            assert!(padded as f32 <= real as f32 * (1.0 + SLACK) || g.len() == 1);
        }
        let equal = by_length(&[9; 70]);
        assert_eq!(equal.iter().map(Vec::len).collect::<Vec<_>>(), [32, 32, 6]);
    }
}
