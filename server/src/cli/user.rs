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
        let store = crate::store::open_store(&config.database_url())
            .await
            .map_err(|e| e.to_string())?;
        let user = store
            .add_user(name, role, &hash, crate::now_ms())
            .await
            .map_err(|e| e.to_string())?;
        store
            .append_audit(NewAuditEntry {
                at: crate::now_ms(),
                user: Some("command line".into()),
                address: None,
                action: action::USER_ADDED,
                detail: format!("added {} as {}", user.name, role.as_str()),
            })
            .await
            .map_err(|e| e.to_string())?;
        Ok(password)
    })
}

fn fail(message: &str) -> ExitCode {
    eprintln!("tend: {message}\n{USAGE}");
    ExitCode::from(2)
}
