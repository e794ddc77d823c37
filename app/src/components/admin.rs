//! The admin's corner: the backup password, shown on request, with what to
//! do with it.

use leptos::prelude::*;

use crate::api::BackupPasswordView;
use crate::client;

/// Shows the backup repositories' password when asked, never on load.
#[component]
pub fn BackupPassword() -> impl IntoView {
    let (shown, set_shown) = signal(None::<Result<BackupPasswordView, String>>);
    let reveal = move |_| {
        leptos::task::spawn_local(async move {
            set_shown.set(Some(client::backup_password().await.map_err(|e| e.0)));
        });
    };
    view! {
        <section class="admin-secret" aria-labelledby="backup-password-title">
            <h2 id="backup-password-title">"Backup password"</h2>
            <p class="hint">
                "Every backup repository Tend makes is encrypted with one password. With it, the standard restic tool restores a backup without Tend."
            </p>
            {move || match shown.get() {
                None => view! {
                    <button class="reveal" on:click=reveal>"Show the backup password"</button>
                }
                .into_any(),
                Some(Ok(view)) => view! {
                    <div class="secret-box">
                        {view.password.map(|p| view! { <code class="secret" aria-label="Repository password">{p}</code> })}
                        <p class="warning" role="note">{view.advice}</p>
                        <p class="hint">"Kept on the server in "<code>{view.file}</code></p>
                        <button on:click=move |_| set_shown.set(None)>"Hide"</button>
                    </div>
                }
                .into_any(),
                Some(Err(e)) => view! { <p class="notice refused" role="alert">{e}</p> }.into_any(),
            }}
        </section>
    }
}
