//! Time as the appliance stores and shows it: RFC 3339 UTC with milliseconds, which sorts
//! and compares as text.

/// Now, as stored.
pub fn now() -> String {
    timestamp(chrono::Utc::now())
}

pub fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
