use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::components::{BackupPassword, Console, LiveTasks, RulesEditor, SignOut, TaskPanel};

/// The HTML document around the app, rendered by the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="data:," />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="tend" href="/pkg/tend.css" />
        <Title text="Tend" />
        <Router>
            <Routes fallback=|| view! { <p class="not-found">"There is nothing at this address."</p> }>
                <Route path=path!("") view=ConsolePage />
                <Route path=path!("rules") view=RulesPage />
            </Routes>
        </Router>
    }
}

/// The console and the task panel side by side.
#[component]
fn ConsolePage() -> impl IntoView {
    let live = LiveTasks::provide();
    // Effects run only in the browser: this marks the page as interactive
    // (end-to-end tests wait for it) and opens the live event stream.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| {
        set_hydrated.set(true);
        live.start();
    });

    view! {
        <div class="layout" data-hydrated=move || hydrated.get().to_string()>
            <TopBar tagline="Say what should happen to your files. Tend shows the plan, then does it." />
            <main class="columns">
                <Console />
                <TaskPanel />
            </main>
        </div>
    }
}

/// Admins' routing rules.
#[component]
fn RulesPage() -> impl IntoView {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <Title text="Tend · Rules" />
        <div class="layout" data-hydrated=move || hydrated.get().to_string()>
            <TopBar tagline="Names, phrases and examples that steer how commands are understood." />
            <main class="rules-page">
                <RulesEditor />
                <BackupPassword />
            </main>
        </div>
    }
}

#[component]
fn TopBar(tagline: &'static str) -> impl IntoView {
    view! {
        <header class="topbar">
            <h1>"Tend"</h1>
            <nav class="nav">
                <a href="/">"Console"</a>
                <a href="/rules">"Rules"</a>
            </nav>
            <p class="tagline">{tagline}</p>
            <SignOut />
        </header>
    }
}
