//! The plan's dates in formats other programs read: the event list and iCalendar.

pub mod events;
pub mod ics;
