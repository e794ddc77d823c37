//! Passwords: hashed with argon2id (its default parameters, the OWASP
//! recommendation) into a PHC string that carries its own salt and
//! parameters, so a hash made today still verifies if the defaults change.
//!
//! Hashing and verifying take tens of milliseconds of CPU on purpose: call
//! them from `tokio::task::spawn_blocking`, not on the async runtime.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The shortest password accepted, in characters.
pub const MIN_CHARS: usize = 12;
/// The longest: enough for any passphrase, short of making hashing a
/// denial of service.
pub const MAX_CHARS: usize = 1024;

/// The characters of generated passwords: letters and digits without the
/// ones that look alike (0 O o, 1 l I), so one read aloud or copied by hand
/// comes out right.
const GENERATED_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// 20 characters of 56: about 116 bits.
const GENERATED_CHARS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("The password is too short: use at least {MIN_CHARS} characters.")]
    TooShort,
    #[error("The password is too long: use at most {MAX_CHARS} characters.")]
    TooLong,
    /// Not the user's doing: the hasher itself failed.
    #[error("The password could not be hashed: {0}")]
    Hash(String),
}

/// Whether `password` may become a user's password.
pub fn check_new(password: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

/// The PHC string to store (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), with a
/// fresh random salt.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` is the one `phc` was made from; false, never a panic,
/// for a hash that is not a PHC string argon2 knows.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A new random password, for a user added without one.
pub fn generate() -> String {
    // Rejection sampling: bytes past the last whole multiple of the
    // alphabet's size would favour its first letters.
    let alphabet = GENERATED_ALPHABET.len();
    let unbiased_below = 256 - 256 % alphabet;
    let mut out = String::with_capacity(GENERATED_CHARS);
    let mut bytes = [0u8; 64];
    while out.len() < GENERATED_CHARS {
        OsRng.fill_bytes(&mut bytes);
        for &b in bytes.iter().filter(|&&b| usize::from(b) < unbiased_below) {
            if out.len() == GENERATED_CHARS {
                break;
            }
            out.push(char::from(GENERATED_ALPHABET[usize::from(b) % alphabet]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse battery ", &phc));
        assert!(!verify("", &phc));
        // A fresh salt each time.
        assert_ne!(hash("correct horse battery").unwrap(), phc);
    }

    #[test]
    fn a_malformed_hash_verifies_nothing() {
        for bad in [
            "",
            "plain",
            "$argon2id$",
            "$argon2id$v=19$m=1$x$y",
            "$md5$abc",
        ] {
            assert!(!verify("anything", bad), "{bad:?}");
        }
    }

    #[test]
    fn generated_passwords_are_long_unambiguous_and_different() {
        let a = generate();
        assert_eq!(a.chars().count(), GENERATED_CHARS);
        assert!(a.bytes().all(|b| GENERATED_ALPHABET.contains(&b)), "{a}");
        assert!(!a.contains(['0', 'O', 'o', '1', 'l', 'I']), "{a}");
        assert!(check_new(&a).is_ok());
        assert_ne!(generate(), a);
    }

    #[test]
    fn new_passwords_need_12_to_1024_characters() {
        assert!(matches!(check_new("short"), Err(PasswordError::TooShort)));
        assert!(matches!(
            check_new(&"x".repeat(11)),
            Err(PasswordError::TooShort)
        ));
        assert!(check_new(&"x".repeat(12)).is_ok());
        // Characters, not bytes: twelve of "é" are 24 bytes.
        assert!(matches!(
            check_new(&"é".repeat(11)),
            Err(PasswordError::TooShort)
        ));
        assert!(check_new(&"é".repeat(12)).is_ok());
        assert!(check_new(&"x".repeat(1024)).is_ok());
        assert!(matches!(
            check_new(&"x".repeat(1025)),
            Err(PasswordError::TooLong)
        ));
    }
}
