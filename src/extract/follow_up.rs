//! Follow-ups: the calls a company should call back to close the loop. A call qualifies when the
//! customer complained and the call ended badly: negative final sentiment, a cancellation
//! threat, a repeat contact, or a request for a supervisor.
//!
//! Supervisor requests are found with their own small phrase list (matched like the taxonomy,
//! negation included), so they work whatever taxonomy the analyst uses.

/// Why a call needs a call back, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// The customer threatened to cancel or leave.
    CancellationThreat,
    /// The customer asked for a supervisor or manager.
    AskedForSupervisor,
    /// The customer's final sentiment was negative.
    UnhappyEnd,
    /// The customer said they had contacted the company before about this.
    RepeatContact,
}

impl Reason {
    /// The word used in follow_ups.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::CancellationThreat => "cancellation_threat",
            Reason::AskedForSupervisor => "asked_for_supervisor",
            Reason::UnhappyEnd => "unhappy_end",
            Reason::RepeatContact => "repeat_contact",
        }
    }

    /// How much the reason weighs in the priority.
    pub fn weight(self) -> u32 {
        match self {
            Reason::CancellationThreat | Reason::AskedForSupervisor => 2,
            Reason::UnhappyEnd | Reason::RepeatContact => 1,
        }
    }
}

/// `high` (3 or more points), `medium` (2) or `low` (1), from the reasons' weights.
pub fn priority(reasons: &[Reason]) -> &'static str {
    match reasons.iter().map(|r| r.weight()).sum::<u32>() {
        0 => "none",
        1 => "low",
        2 => "medium",
        _ => "high",
    }
}

/// Phrases of customers asking for someone above the agent. They are found in the same scan as
/// the taxonomy's phrases (see [`super::matcher::Matcher::with_marks`]), negation included.
pub const SUPERVISOR_PHRASES: &[&str] = &[
    "speak to a supervisor",
    "speak to your supervisor",
    "speak with a supervisor",
    "speak with your supervisor",
    "talk to a supervisor",
    "talk to your supervisor",
    "talk with a supervisor",
    "get me a supervisor",
    "get your supervisor",
    "transfer me to a supervisor",
    "put me through to a supervisor",
    "i want a supervisor",
    "i need a supervisor",
    "i'd like a supervisor",
    "can i have a supervisor",
    "let me speak to a supervisor",
    "speak to a manager",
    "speak to your manager",
    "speak with a manager",
    "speak with your manager",
    "talk to a manager",
    "talk to your manager",
    "talk with a manager",
    "get me a manager",
    "get your manager",
    "i want a manager",
    "i need a manager",
    "i want to speak to a manager",
    "let me speak to a manager",
    "speak to someone higher up",
    "talk to someone higher up",
    "someone in charge",
    "your boss",
    "escalate this",
    "escalate my complaint",
    "escalate the issue",
    "escalate it",
    "file a formal complaint",
    "make a formal complaint",
    "lodge a complaint",
    "complaints department",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_from_reasons() {
        assert_eq!(priority(&[Reason::UnhappyEnd]), "low");
        assert_eq!(priority(&[Reason::UnhappyEnd, Reason::RepeatContact]), "medium");
        assert_eq!(priority(&[Reason::CancellationThreat, Reason::UnhappyEnd]), "high");
    }
}
