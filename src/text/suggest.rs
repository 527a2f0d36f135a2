//! "Did you mean": the closest known name to a misspelled one.
//!
//! A suggestion must never cost more than the check it decorates, whatever
//! the input (a thousand typos against a connector of thousands of
//! endpoints, names of twenty thousand characters). So:
//! - names longer than [`MAX_CHARS`] are neither suggested nor given
//!   suggestions (nobody retypes them; they are pasted or generated);
//! - a candidate whose length alone puts it out of reach is skipped before
//!   any comparison, and a comparison stops as soon as it can't beat the
//!   best candidate so far;
//! - a [`Budget`] bounds the total work of one run: a check gives itself
//!   one proportional to its input, and once it is spent, diagnostics
//!   still list the defined names but stop guessing.
//!
//! The distance is the optimal string alignment distance (edits and
//! transpositions of adjacent characters, no substring edited twice),
//! over characters.

/// Names longer than this many characters are not compared.
pub const MAX_CHARS: usize = 100;

/// How much comparing a run may do, in cells of the distance table (one
/// cell is one pair of characters); looking at a candidate at all costs
/// the length of both names.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    cells: u64,
}

impl Budget {
    /// A budget of `cells` cells.
    pub fn new(cells: u64) -> Self {
        Budget { cells }
    }

    /// The budget of a check over `bytes` bytes of rules: a fixed part
    /// (a few milliseconds of comparing: every suggestion of an ordinary
    /// rule set) plus four cells per byte, about what checking a byte
    /// costs, so suggestions never dominate a check.
    pub fn for_input(bytes: usize) -> Self {
        Budget::new(5_000_000 + 4 * bytes as u64)
    }

    /// No limit but the per-name ones: for answering one query.
    pub fn unlimited() -> Self {
        Budget::new(u64::MAX)
    }
}

/// The candidate closest to `wanted`, if one is close enough to be a likely
/// typo: same text ignoring case, or an edit distance (with transpositions)
/// of at most a third of the longer name's length, and at least 1. Ties go
/// to the first candidate, so results follow declaration order.
pub fn closest<'a, I>(wanted: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    closest_within(wanted, candidates, &mut Budget::unlimited())
}

/// [`closest`], spending at most what is left of `budget`.
pub fn closest_within<'a, I>(wanted: &str, candidates: I, budget: &mut Budget) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    // A name's byte length bounds its character count from above, and a
    // quarter of it from below.
    if wanted.len() > 4 * MAX_CHARS {
        return None;
    }
    let wanted: Vec<char> = wanted.chars().collect();
    if wanted.len() > MAX_CHARS {
        return None;
    }
    let mut table = Table::default();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        // Looking at a candidate at all costs its length.
        let look = (candidate.len().min(4 * MAX_CHARS) + wanted.len()) as u64;
        if budget.cells < look {
            break;
        }
        budget.cells -= look;
        if candidate.len() > 4 * MAX_CHARS || candidate.chars().eq(wanted.iter().copied()) {
            continue;
        }
        let length = candidate.chars().count();
        if length > MAX_CHARS {
            continue;
        }
        let limit = (wanted.len().max(length) / 3).max(1);
        // Only a strictly smaller distance replaces the best so far.
        let reach = match best {
            Some((0, _)) => break,
            Some((distance, _)) => limit.min(distance - 1),
            None => limit,
        };
        let distance = if same_ignoring_case(&wanted, candidate) {
            0
        } else if wanted.len().abs_diff(length) > reach {
            continue;
        } else {
            let cells = (wanted.len() * length) as u64;
            if budget.cells < cells {
                break;
            }
            budget.cells -= cells;
            match table.distance(&wanted, candidate, reach) {
                Some(distance) => distance,
                None => continue,
            }
        };
        best = Some((distance, candidate));
    }
    best.map(|(_, candidate)| candidate)
}

fn same_ignoring_case(wanted: &[char], candidate: &str) -> bool {
    wanted
        .iter()
        .flat_map(|c| c.to_lowercase())
        .eq(candidate.chars().flat_map(char::to_lowercase))
}

/// The rows of the distance table, reused from one candidate to the next.
#[derive(Default)]
struct Table {
    before: Vec<usize>,
    previous: Vec<usize>,
    current: Vec<usize>,
    candidate: Vec<char>,
}

impl Table {
    /// The optimal string alignment distance between `a` and `b` if it is
    /// at most `reach`; `None` as soon as a row shows it is larger.
    fn distance(&mut self, a: &[char], b: &str, reach: usize) -> Option<usize> {
        self.candidate.clear();
        self.candidate.extend(b.chars());
        let b = &self.candidate;
        let width = b.len() + 1;
        for row in [&mut self.before, &mut self.previous, &mut self.current] {
            row.clear();
            row.resize(width, 0);
        }
        for (j, cell) in self.previous.iter_mut().enumerate() {
            *cell = j;
        }
        for (i, &ac) in a.iter().enumerate() {
            let mut smallest = i + 1;
            if let Some(first) = self.current.first_mut() {
                *first = i + 1;
            }
            for (j, &bc) in b.iter().enumerate() {
                let cost = usize::from(ac != bc);
                let diagonal = self.previous.get(j).copied().unwrap_or(usize::MAX - 1) + cost;
                let up = self.previous.get(j + 1).copied().unwrap_or(usize::MAX - 1) + 1;
                let left = self.current.get(j).copied().unwrap_or(usize::MAX - 1) + 1;
                let mut value = diagonal.min(up).min(left);
                // A transposition of the two characters before.
                if i > 0 && j > 0 && a.get(i - 1) == Some(&bc) && b.get(j - 1) == Some(&ac) {
                    let swapped = self.before.get(j - 1).copied().unwrap_or(usize::MAX - 1) + 1;
                    value = value.min(swapped);
                }
                if let Some(cell) = self.current.get_mut(j + 1) {
                    *cell = value;
                }
                smallest = smallest.min(value);
            }
            if smallest > reach {
                return None;
            }
            std::mem::swap(&mut self.before, &mut self.previous);
            std::mem::swap(&mut self.previous, &mut self.current);
        }
        self.previous
            .last()
            .copied()
            .filter(|&distance| distance <= reach)
    }
}

#[cfg(test)]
mod tests {
    use super::{Budget, MAX_CHARS, Table, closest, closest_within};

    #[test]
    fn finds_typos_and_case_slips() {
        let names = ["basic", "oauth", "token"];
        assert_eq!(closest("basci", names), Some("basic"));
        assert_eq!(closest("OAuth", names), Some("oauth"));
        assert_eq!(closest("tokne", names), Some("token"));
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(closest("customers", ["basic", "oauth"]), None);
        assert_eq!(closest("x", Vec::<&str>::new()), None);
    }

    #[test]
    fn suggests_oauth_types() {
        let types = ["oauth1", "oauth2_client_credentials"];
        assert_eq!(closest("oauth3", types), Some("oauth1"));
    }

    #[test]
    fn distances_are_optimal_string_alignment() {
        let distance = |a: &str, b: &str| {
            let a: Vec<char> = a.chars().collect();
            Table::default().distance(&a, b, usize::MAX - 2)
        };
        assert_eq!(distance("kitten", "sitting"), Some(3));
        assert_eq!(distance("orders", "ordres"), Some(1));
        assert_eq!(distance("", "abc"), Some(3));
        assert_eq!(distance("café", "cafe"), Some(1));
        // Optimal string alignment edits no substring twice.
        assert_eq!(distance("ca", "abc"), Some(3));
        let a: Vec<char> = "orders".chars().collect();
        assert_eq!(Table::default().distance(&a, "customers", 2), None);
    }

    #[test]
    fn ties_go_to_the_first_candidate_and_case_slips_beat_edits() {
        assert_eq!(closest("ab", ["ac", "ad"]), Some("ac"));
        assert_eq!(closest("orders", ["order", "Orders"]), Some("Orders"));
    }

    #[test]
    fn long_names_are_not_compared() {
        let long = "a".repeat(MAX_CHARS + 1);
        let near = format!("{long}b");
        assert_eq!(closest(&long, [near.as_str()]), None);
        assert_eq!(closest("a", [long.as_str()]), None);
    }

    #[test]
    fn a_spent_budget_stops_guessing() {
        // Looking costs 5 + 5, comparing 5 x 5: 35 of 40.
        let mut budget = Budget::new(40);
        assert_eq!(
            closest_within("basci", ["basic"], &mut budget),
            Some("basic")
        );
        assert_eq!(closest_within("basci", ["basic"], &mut budget), None);
    }
}
