//! Ids, as plan files write them; the calendar's values (days, times of day) are re-exported.

pub use crate::calendar::{Date, Time};

/// Ids become file and folder names, so they are kept to lower-case ASCII, digits and `-`.
pub fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a valid id; use lower-case letters a-z, digits and `-` (e.g. `{}`)",
            crate::text::slug(id)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_file_name_safe() {
        assert!(check_id("su-2022-11-08").is_ok());
        assert!(check_id("Møde 1").is_err());
        assert!(check_id("../x").is_err());
        assert!(check_id("").is_err());
    }
}
