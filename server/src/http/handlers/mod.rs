//! One file per resource of the API.

pub mod admin;
pub mod alerts;
pub mod commands;
pub mod events;
pub mod health;
pub mod people;
pub mod plans;
pub mod rules;
pub mod schedules;
pub mod tasks;
