//! Passwords: a policy checked once at sign-up, and argon2id hashing at OWASP's minimum
//! (19 MiB, 2 iterations, 1 lane). Hashing is CPU work: callers run it off the async threads.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;
const COMMON: &str = include_str!("common-passwords.txt");

fn hasher() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

/// A password that passed the policy.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// The password, or the id of the message saying what is wrong with it.
    pub fn parse(raw: &str, email: &str) -> Result<Self, &'static str> {
        let n = raw.chars().count();
        if n < MIN_LEN {
            return Err("error-password-short");
        }
        if n > MAX_LEN {
            return Err("error-password-long");
        }
        let lower = raw.to_lowercase();
        if COMMON.lines().any(|common| common == lower)
            || lower == email
            || lower
                .chars()
                .all(|c| c == lower.chars().next().unwrap_or(' '))
        {
            return Err("error-password-common");
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password itself, for showing a generated one to the person who asked for it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The PHC string (algorithm, parameters, salt, hash).
    pub fn hash(&self) -> anyhow::Result<String> {
        let hash = hasher()
            .hash_password(self.0.as_bytes())
            .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
        Ok(hash.to_string())
    }
}

/// Runs a password hash or check on a blocking thread, at most one per CPU core at a time: each
/// needs 19 MiB, and a burst of sign-ups must queue rather than pin gigabytes.
pub async fn off_thread<R: Send + 'static>(
    limit: &tokio::sync::Semaphore,
    work: impl FnOnce() -> R + Send + 'static,
) -> anyhow::Result<R> {
    let _permit = limit.acquire().await?;
    Ok(actix_web::web::block(work).await?)
}

/// Hashes a new password on a blocking thread, at most `limit` at once.
pub async fn hash_off_thread(
    limit: &tokio::sync::Semaphore,
    password: NewPassword,
) -> Result<String, crate::error::AppError> {
    use crate::error::AppError;
    off_thread(limit, move || password.hash())
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

/// Big buffers (argon2's 19 MiB) come from mmap and go back to the OS when freed, instead of
/// staying in a per-thread malloc arena (glibc raises its mmap threshold after such frees).
pub fn return_large_allocations() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called once, at start-up.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Whether `password` matches `phc`. Without a stored hash (unknown email) the same work is done
/// against a fixed hash, so timing does not tell whether an account exists.
pub fn verify(password: &str, phc: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        NewPassword("not-a-real-password".into())
            .hash()
            .expect("hashing works")
    });
    let ok = hasher()
        .verify_password(password.as_bytes(), phc.unwrap_or(dummy))
        .is_ok();
    ok && phc.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_rejects_short_and_common_passwords() {
        assert!(NewPassword::parse("short", "a@b.c").is_err());
        assert!(NewPassword::parse("Password123", "a@b.c").is_err());
        assert!(NewPassword::parse("aaaaaaaaaaaa", "a@b.c").is_err());
        assert!(NewPassword::parse("ada@example.org", "ada@example.org").is_err());
        assert!(NewPassword::parse("correct horse battery", "a@b.c").is_ok());
    }

    #[test]
    fn hashes_with_argon2id_at_owasp_minimum_and_verifies() {
        let pw = NewPassword::parse("correct horse battery", "a@b.c").unwrap();
        let phc = pw.hash().unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery", Some(&phc)));
        assert!(!verify("wrong horse battery", Some(&phc)));
        assert!(!verify("not-a-real-password", None));
    }
}
