//! The admins' list of users: each one's role, disabling and enabling,
//! password resets, and a form to add someone.

use leptos::prelude::*;

use crate::api::{NewUser, UserChange, UserView, ROLE_NAMES};
use crate::client;

/// The role a new user gets unless the admin picks another.
const DEFAULT_ROLE: &str = "operator";

/// A password Tend made up, and whose it is, for the one time it is shown.
#[derive(Clone)]
struct MadeUpPassword {
    user: String,
    password: String,
}

/// The users as last read from the server, and what the last change left
/// to show.
#[derive(Clone, Copy)]
struct UsersState {
    /// `None` until the first answer.
    users: RwSignal<Option<Vec<UserView>>>,
    /// Why reading the list or changing a user failed.
    error: RwSignal<Option<String>>,
    made_up: RwSignal<Option<MadeUpPassword>>,
    /// A change is on its way: the row buttons wait for it.
    busy: RwSignal<bool>,
}

impl UsersState {
    fn new() -> UsersState {
        UsersState {
            users: RwSignal::new(None),
            error: RwSignal::new(None),
            made_up: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    fn reload(self) {
        leptos::task::spawn_local(async move { self.fetch().await });
    }

    async fn fetch(self) {
        match client::users().await {
            Ok(users) => self.users.set(Some(users)),
            Err(e) => self.error.set(Some(e.0)),
        }
    }

    /// Sends one change to user `id`, shows the password Tend made up if
    /// it made one, and reads the list again, also after a refusal, so the
    /// controls show what the server holds.
    fn change(self, id: i64, change: UserChange) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            match client::change_user(id, &change).await {
                Ok(user) => {
                    self.error.set(None);
                    self.show_made_up(user);
                }
                Err(e) => self.error.set(Some(e.0)),
            }
            self.fetch().await;
            self.busy.set(false);
        });
    }

    fn show_made_up(self, user: UserView) {
        if let Some(password) = user.password {
            self.made_up.set(Some(MadeUpPassword {
                user: user.name,
                password,
            }));
        }
    }

    /// One field of user `id` as last read.
    fn field<T>(self, id: i64, pick: impl Fn(&UserView) -> T) -> Option<T> {
        self.users.with(|users| {
            users
                .as_deref()
                .and_then(|users| users.iter().find(|u| u.id == id))
                .map(pick)
        })
    }
}

/// The Users page: everyone who can sign in, with their role and status,
/// and a form to add someone.
#[component]
pub fn UsersAdmin() -> impl IntoView {
    let state = UsersState::new();
    // Runs in the browser only: the users are read from the API there.
    Effect::new(move |_| state.reload());

    view! {
        <section class="users-admin" aria-label="Users">
            <h2>"Users"</h2>
            <p class="hint">
                "Viewers see tasks and plans; operators also run commands and act on tasks and schedules; admins also manage rules, users and the audit log."
            </p>
            {move || state.error.get().map(|e| view! { <p class="notice refused" role="alert">{e}</p> })}
            {move || state.made_up.get().map(|made_up| view! { <MadeUpPasswordBox made_up state /> })}
            <Show
                when=move || state.users.with(Option::is_some)
                fallback=|| view! { <p class="empty">"Loading users…"</p> }
            >
                <table class="task-table user-table">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Role"</th>
                            <th>"Status"</th>
                            <th>"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || state.users.get().unwrap_or_default()
                            key=|user| user.id
                            children=move |user| view! { <UserRow user state /> }
                        />
                    </tbody>
                </table>
            </Show>
            <AddUser state />
        </section>
    }
}

/// A made-up password with whose it is, until the admin hides it.
#[component]
fn MadeUpPasswordBox(made_up: MadeUpPassword, state: UsersState) -> impl IntoView {
    view! {
        <p class="secret-box" role="status">
            {format!("Password for {}, shown this once: ", made_up.user)}
            <code class="secret" aria-label="New password">{made_up.password}</code>
            <button type="button" on:click=move |_| state.made_up.set(None)>"Hide"</button>
        </p>
    }
}

/// One user: the role to change, whether they can sign in, and the buttons.
/// The controls read the list, so they follow every reload.
#[component]
fn UserRow(user: UserView, state: UsersState) -> impl IntoView {
    let id = user.id;
    let role = move || state.field(id, |u| u.role.clone()).unwrap_or_default();
    let disabled = move || state.field(id, |u| u.disabled).unwrap_or(false);
    let on_role = move |ev: leptos::ev::Event| {
        let change = UserChange {
            role: Some(event_target_value(&ev)),
            ..UserChange::default()
        };
        state.change(id, change);
    };
    let reset = move |_| {
        let change = UserChange {
            reset_password: true,
            ..UserChange::default()
        };
        state.change(id, change);
    };
    let toggle = move |_| {
        let change = UserChange {
            disabled: Some(!disabled()),
            ..UserChange::default()
        };
        state.change(id, change);
    };
    let busy = move || state.busy.get();

    view! {
        <tr
            class="user-row"
            data-user=user.name.clone()
            data-disabled=move || disabled().to_string()
        >
            <td class="col-name">{user.name.clone()}</td>
            <td class="col-role">
                <select
                    aria-label=format!("Role of {}", user.name)
                    disabled=busy
                    on:change=on_role
                >
                    {role_options(role)}
                </select>
            </td>
            <td class="col-status">
                <span class="user-status" data-disabled=move || disabled().to_string()>
                    {move || if disabled() { "disabled" } else { "active" }}
                </span>
            </td>
            <td class="col-actions">
                <button type="button" class="user-reset" disabled=busy on:click=reset>
                    "Reset password"
                </button>
                <button type="button" class="user-toggle" disabled=busy on:click=toggle>
                    {move || if disabled() { "Enable" } else { "Disable" }}
                </button>
            </td>
        </tr>
    }
}

/// The form that adds a user; without a password, Tend makes one up and
/// shows it once.
#[component]
fn AddUser(state: UsersState) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(DEFAULT_ROLE.to_string());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let sending = RwSignal::new(false);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let user = NewUser {
            name: name.get_untracked().trim().to_string(),
            role: role.get_untracked(),
            password: Some(password.get_untracked()).filter(|p| !p.is_empty()),
        };
        sending.set(true);
        leptos::task::spawn_local(async move {
            match client::add_user(&user).await {
                Ok(added) => {
                    name.set(String::new());
                    password.set(String::new());
                    role.set(DEFAULT_ROLE.to_string());
                    error.set(None);
                    state.show_made_up(added);
                    state.fetch().await;
                }
                Err(e) => error.set(Some(e.0)),
            }
            sending.set(false);
        });
    };

    view! {
        <form class="user-add" aria-label="Add a user" on:submit=add>
            <h3>"Add a user"</h3>
            <LabeledInput label="Name" kind="text" name="name" autocomplete="off" value=name />
            <label>
                <span>"Role"</span>
                <select name="role" on:change=move |ev| role.set(event_target_value(&ev))>
                    {role_options(move || role.get())}
                </select>
            </label>
            <LabeledInput
                label="Password (optional)"
                kind="password"
                name="password"
                autocomplete="new-password"
                placeholder="empty: Tend makes one up"
                value=password
            />
            <button type="submit" disabled=move || sending.get()>
                "Add user"
            </button>
            {move || error.get().map(|e| view! { <p class="notice refused" role="alert">{e}</p> })}
        </form>
    }
}

/// The roles as a select's options, `chosen` selected: from the first
/// render (the server's too), then as it changes.
fn role_options(chosen: impl Fn() -> String + Copy + Send + Sync + 'static) -> impl IntoView {
    ROLE_NAMES
        .into_iter()
        .map(|name| {
            let first = untrack(chosen) == name;
            view! {
                <option value=name selected=first prop:selected=move || chosen() == name>
                    {name}
                </option>
            }
        })
        .collect_view()
}

/// An input under its visible label, bound to `value`.
#[component]
fn LabeledInput(
    label: &'static str,
    kind: &'static str,
    name: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] placeholder: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label>
            <span>{label}</span>
            <input
                type=kind
                name=name
                autocomplete=autocomplete
                placeholder=placeholder
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}
