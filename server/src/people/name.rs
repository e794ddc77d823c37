//! User names. ASCII only: a name is what people sign in with, and a
//! Cyrillic "а" beside a Latin "a" would make two names that look alike
//! (a second "admin"); ASCII also makes "the same name in any case" mean
//! the same thing in Rust, SQLite and PostgreSQL.

/// The longest name, in characters.
pub const NAME_MAX_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("A user name cannot be empty.")]
    Empty,
    #[error("A user name can have at most {NAME_MAX_CHARS} characters.")]
    TooLong,
    #[error("A user name cannot contain {0:?}: use letters (a-z, A-Z), digits and . _ - @ only.")]
    BadCharacter(char),
}

/// The name as it will be stored: trimmed, its case kept. Two names that
/// differ only in case are the same user (the store compares them
/// lowercased).
pub fn check_name(name: &str) -> Result<String, NameError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(NameError::TooLong);
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
    {
        return Err(NameError::BadCharacter(bad));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_keeps_its_case() {
        assert_eq!(
            check_name("  Alice.B-c_d@home ").unwrap(),
            "Alice.B-c_d@home"
        );
        assert_eq!(check_name("x").unwrap(), "x");
        assert_eq!(check_name(&"a".repeat(64)).unwrap().len(), 64);
    }

    #[test]
    fn empty_long_and_odd_names_are_refused() {
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert_eq!(check_name("   "), Err(NameError::Empty));
        assert_eq!(check_name(&"a".repeat(65)), Err(NameError::TooLong));
        assert_eq!(check_name("al ice"), Err(NameError::BadCharacter(' ')));
        assert_eq!(check_name("bob/x"), Err(NameError::BadCharacter('/')));
        // A Cyrillic "а": looks like "admin", is not.
        assert_eq!(check_name("аdmin"), Err(NameError::BadCharacter('а')));
        assert!(check_name("tab\there").is_err());
    }
}
