//! "Did you mean": the closest known name to a misspelled one.

/// The candidate closest to `wanted`, if one is close enough to be a likely
/// typo: same text ignoring case, or an edit distance (with transpositions)
/// of at most a third of the longer name's length, and at least 1. Ties go
/// to the first candidate, so results follow declaration order.
pub fn closest<'a, I>(wanted: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted_lower = wanted.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == wanted {
            continue;
        }
        let distance = if candidate.to_lowercase() == wanted_lower {
            0
        } else {
            strsim::damerau_levenshtein(wanted, candidate)
        };
        let longest = wanted.chars().count().max(candidate.chars().count());
        let limit = (longest / 3).max(1);
        if distance <= limit && best.is_none_or(|(best, _)| distance < best) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

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
}
