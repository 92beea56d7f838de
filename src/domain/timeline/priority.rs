//! Who started a timeline, and the priority rule when two want the same output (TL-3,
//! docs/timelines.md "Who wins"). Pure, so the rule is tested on its own.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who asked for a timeline run. Higher ranks win.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema, sqlx::Type,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum Starter {
    /// A weekly schedule whose window opened.
    Schedule,
    /// VistterStudio, the cloud editor.
    Studio,
    /// A person at the console or with an API token.
    Operator,
}

impl Starter {
    pub fn as_str(self) -> &'static str {
        match self {
            Starter::Schedule => "schedule",
            Starter::Studio => "studio",
            Starter::Operator => "operator",
        }
    }
}

/// What happens when `incoming` wants an output on which `running` (started by `holder`)
/// plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contest {
    /// The output is free.
    Free,
    /// The running timeline is stopped and the new one starts.
    Replace,
    /// Refused: the holder ranks higher, or the requester did not ask to replace.
    Refuse,
}

/// The rule: a requester replaces a running timeline only if it ranks at least as high as
/// whoever started it *and* asks to (`replace`); a schedule never asks, so it waits for the
/// output to be free. (The emergency stop is above all of this: it ends every run.)
pub fn contest(holder: Option<Starter>, incoming: Starter, replace: bool) -> Contest {
    match holder {
        None => Contest::Free,
        Some(holder) if replace && incoming >= holder => Contest::Replace,
        Some(_) => Contest::Refuse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operator_replaces_anyone_when_asking_and_nobody_silently() {
        for holder in [Starter::Schedule, Starter::Studio, Starter::Operator] {
            assert_eq!(
                contest(Some(holder), Starter::Operator, true),
                Contest::Replace
            );
            assert_eq!(
                contest(Some(holder), Starter::Operator, false),
                Contest::Refuse
            );
        }
    }

    #[test]
    fn studio_never_overrides_an_operator_and_a_schedule_waits() {
        assert_eq!(
            contest(Some(Starter::Operator), Starter::Studio, true),
            Contest::Refuse
        );
        assert_eq!(
            contest(Some(Starter::Schedule), Starter::Studio, true),
            Contest::Replace
        );
        assert_eq!(
            contest(Some(Starter::Schedule), Starter::Schedule, false),
            Contest::Refuse
        );
        assert_eq!(contest(None, Starter::Schedule, false), Contest::Free);
    }
}
