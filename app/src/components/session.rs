//! Who is using this tab: `/api/session`, asked once from the browser and
//! shared by every page. The page marks itself with the role
//! (`data-role`), and the stylesheet hides what that role cannot do:
//! elements marked `acts` (an operator's actions) from viewers, and
//! `admin-only` from all but admins. Hiding is a courtesy: the server
//! refuses those calls whatever the page shows. Until the session is known
//! nothing is hidden, so the page works at once for the usual user.

use leptos::prelude::*;

use crate::api::SessionView;
use crate::client;

#[derive(Clone, Copy)]
pub struct CurrentSession(RwSignal<Option<SessionView>>);

impl CurrentSession {
    /// Makes the tab's session known to every component below.
    pub fn provide() -> CurrentSession {
        let session = CurrentSession(RwSignal::new(None));
        provide_context(session);
        session
    }

    /// Asks the server (in the browser only: effects do not run in the
    /// server's render).
    pub fn load(self) {
        leptos::task::spawn_local(async move {
            if let Ok(view) = client::session().await {
                self.0.set(Some(view));
            }
        });
    }

    pub fn from_context() -> Option<CurrentSession> {
        use_context::<CurrentSession>()
    }

    /// "admin", "operator", "viewer", or "" while unknown.
    pub fn role(self) -> String {
        self.0
            .with(|s| s.as_ref().map(|s| s.role.clone()).unwrap_or_default())
    }

    pub fn view(self) -> Option<SessionView> {
        self.0.get()
    }
}

/// Who is signed in and "Sign out", shown only where the server asks
/// people to sign in.
#[component]
pub fn SignOut() -> impl IntoView {
    let session = CurrentSession::from_context();
    let signed_in = move || session.and_then(|s| s.view()).filter(|s| s.sign_in);
    view! {
        {move || signed_in().map(|s| view! {
            <p class="signed-in" aria-label="Signed in as">
                <span class="user-name">{s.user}</span>
                " · "
                <span class="user-role">{s.role}</span>
            </p>
            <form class="sign-out" method="post" action="/logout">
                <button type="submit">"Sign out"</button>
            </form>
        })}
    }
}
