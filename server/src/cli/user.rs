//! `tend user add NAME --role ROLE`: adds a user to the configured
//! database and prints a generated password once. This is how the first
//! admin comes to be without an admin token, and how an admin locked out
//! of the browser gets back in.

use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;
use crate::people::audit::action;
use crate::people::{check_name, password, Role};
use crate::store::NewAuditEntry;

const USAGE: &str = "Usage: tend user add NAME [--role admin|operator|viewer] [--config FILE]";

/// `args`: what follows `tend user`.
pub fn run(args: &[String]) -> ExitCode {
    let mut config_file = None;
    let mut role = Role::Admin;
    let mut words = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--config" => config_file = rest.next().map(Path::new),
            "--role" => match rest.next().and_then(|r| Role::parse(r)) {
                Some(r) => role = r,
                None => return fail("--role needs admin, operator or viewer"),
            },
            other if !other.starts_with('-') => words.push(other),
            other => return fail(&format!("unexpected argument {other:?}")),
        }
    }
    let ["add", name] = words.as_slice() else {
        return fail("say which user to add");
    };
    let name = match check_name(name) {
        Ok(name) => name,
        Err(e) => return fail(&e.to_string()),
    };
    let config = match Config::load(config_file) {
        Ok(c) => c,
        Err(e) => return fail(&e.to_string()),
    };
    match add(&config, &name, role) {
        Ok(password) => {
            println!("Added {name} as {}. Their password, shown this once:\n\n  {password}\n\nThey sign in at /login, or with POST /api/login.", role.as_str());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tend: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Adds the user with a generated password, recorded in the audit log as
/// done from the command line; the password.
fn add(config: &Config, name: &str, role: Role) -> Result<String, String> {
    let password = password::generate();
    let hash = password::hash(&password).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let url = config.database_url();
        let store = busy_retried(|| crate::store::open_store(&url)).await?;
        let user = busy_retried(|| store.add_user(name, role, &hash, crate::now_ms())).await?;
        busy_retried(|| {
            store.append_audit(NewAuditEntry {
                at: crate::now_ms(),
                user: Some("command line".into()),
                address: None,
                action: action::USER_ADDED,
                detail: format!("added {} as {}", user.name, role.as_str()),
            })
        })
        .await?;
        Ok(password)
    })
}

/// `step`, tried again while SQLite says the running server holds the
/// database (its busy timeout does not cover every lock, such as the one a
/// connection's first pragmas take), for up to ten seconds.
async fn busy_retried<T, F>(step: impl Fn() -> F) -> Result<T, String>
where
    F: std::future::Future<Output = Result<T, crate::store::StoreError>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match step().await {
            Ok(value) => return Ok(value),
            Err(e)
                if e.to_string().contains("database is locked")
                    && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("tend: {message}\n{USAGE}");
    ExitCode::from(2)
}
