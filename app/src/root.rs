use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::components::{
    AlertBanner, AuditLog, BackupPassword, Console, CurrentSession, LiveTasks, NotificationTargets,
    RulesEditor, SignOut, TaskCharts, TaskDetail, TaskHistory, TaskPanel, UsersAdmin,
};

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
    // One live event stream for the tab, whichever page shows, so moving
    // between pages neither opens another nor loses what it said.
    let live = LiveTasks::provide();
    Effect::new(move |_| live.start());
    let session = CurrentSession::provide();
    Effect::new(move |_| session.load());

    view! {
        <Stylesheet id="tend" href="/pkg/tend.css" />
        <Title text="Tend" />
        <Router>
            <Routes fallback=|| view! { <p class="not-found">"There is nothing at this address."</p> }>
                <Route path=path!("") view=ConsolePage />
                <Route path=path!("rules") view=RulesPage />
                <Route path=path!("tasks") view=TasksPage />
                <Route path=path!("tasks/:id") view=TaskPage />
                <Route path=path!("users") view=UsersPage />
                <Route path=path!("audit") view=AuditPage />
            </Routes>
        </Router>
    }
}

/// What every page shares: its title, the top bar, and the marker that it
/// is interactive. Effects run only in the browser, so `data-hydrated`
/// turns true there once the page is hydrated (end-to-end tests wait for
/// it).
#[component]
fn Page(
    title: &'static str,
    tagline: &'static str,
    /// The class of the page's `<main>`, which lays it out.
    class: &'static str,
    children: Children,
) -> impl IntoView {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    let session = CurrentSession::from_context();
    let role = move || session.map(|s| s.role()).unwrap_or_default();
    view! {
        <Title text=title />
        <div class="layout" data-hydrated=move || hydrated.get().to_string() data-role=role>
            <TopBar tagline />
            <AlertBanner />
            <main class=class>{children()}</main>
        </div>
    }
}

/// The console and the task panel side by side.
#[component]
fn ConsolePage() -> impl IntoView {
    view! {
        <Page
            title="Tend"
            tagline="Say what should happen to your files. Tend shows the plan, then does it."
            class="columns"
        >
            <Console />
            <TaskPanel />
        </Page>
    }
}

/// Admins' routing rules.
#[component]
fn RulesPage() -> impl IntoView {
    view! {
        <Page
            title="Tend · Rules"
            tagline="Names, phrases and examples that steer how commands are understood."
            class="rules-page"
        >
            <RulesEditor />
            <NotificationTargets />
            <BackupPassword />
        </Page>
    }
}

/// The whole task history, with its charts.
#[component]
fn TasksPage() -> impl IntoView {
    view! {
        <Page
            title="Tend · Tasks"
            tagline="Everything Tend has run, runs now or will run."
            class="tasks-page"
        >
            <TaskCharts />
            <TaskHistory />
        </Page>
    }
}

/// The people who may sign in, and their roles.
#[component]
fn UsersPage() -> impl IntoView {
    view! {
        <Page title="Tend · Users" tagline="Who may sign in, and what each may do." class="users-page">
            <UsersAdmin />
        </Page>
    }
}

/// Who did what, when and from where.
#[component]
fn AuditPage() -> impl IntoView {
    view! {
        <Page title="Tend · Audit" tagline="Everything people did, as it was recorded." class="audit-page">
            <AuditLog />
        </Page>
    }
}

/// One task: its parameters, timeline, log and actions.
#[component]
fn TaskPage() -> impl IntoView {
    view! {
        <Page title="Tend · Task" tagline="One task, from queued to done." class="task-page">
            <TaskDetail />
        </Page>
    }
}

#[component]
fn TopBar(tagline: &'static str) -> impl IntoView {
    view! {
        <header class="topbar">
            <h1>"Tend"</h1>
            <nav class="nav">
                <a href="/">"Console"</a>
                <a href="/tasks">"Tasks"</a>
                <a href="/rules" class="admin-only">"Rules"</a>
                <a href="/users" class="admin-only">"Users"</a>
                <a href="/audit" class="admin-only">"Audit"</a>
            </nav>
            <p class="tagline">{tagline}</p>
            <SignOut />
        </header>
    }
}
