//! The plan's dates and papers in formats other programs read: the event list, iCalendar and
//! the Atom feed.

pub mod atom;
pub mod events;
pub mod ics;
