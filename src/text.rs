//! Words for people: how names are listed in messages, help and reasons.
//!
//! Every list that reaches a person goes through [`list`], so a connector
//! with 1,500 endpoints never produces a 1,500-name sentence: lists are cut
//! after a few names with "and N more".

use std::fmt;

/// How many names a list shows before "and N more".
const SHOWN: usize = 8;

/// "`a`, `b` and `c`": at most eight names in backticks, then "and N
/// more"; `count` is how many `names` yields in all. An empty list is
/// "nothing".
pub(crate) fn list<'n>(names: impl Iterator<Item = &'n str>, count: usize) -> String {
    join(names.map(|name| format!("`{name}`")), count, "and")
}

/// "a, b or c" (`conjunction` between the last two) for items already
/// written for people; cut like [`list`].
pub(crate) fn join(
    items: impl Iterator<Item = impl fmt::Display>,
    count: usize,
    conjunction: &str,
) -> String {
    let shown: Vec<String> = items.take(SHOWN).map(|item| item.to_string()).collect();
    match shown.as_slice() {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [init @ .., last] if count <= SHOWN => {
            format!("{} {conjunction} {last}", init.join(", "))
        }
        all => format!("{} and {} more", all.join(", "), count - all.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::{join, list};

    #[test]
    fn lists_are_joined_and_cut() {
        assert_eq!(list(std::iter::empty(), 0), "nothing");
        assert_eq!(list(["a"].into_iter(), 1), "`a`");
        assert_eq!(list(["a", "b", "c"].into_iter(), 3), "`a`, `b` and `c`");
        assert_eq!(join(["`a`", "b"].into_iter(), 2, "or"), "`a` or b");
        let many: Vec<String> = (0..20).map(|i| format!("e{i}")).collect();
        let cut = list(many.iter().map(String::as_str), many.len());
        assert!(cut.ends_with("`e7` and 12 more"), "{cut}");
    }
}
