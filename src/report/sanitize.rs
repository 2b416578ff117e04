//! Spreadsheet formula injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
//! return can be run as a formula by Excel or Google Sheets. Transcripts are customer-supplied
//! text, so every text cell earful writes goes through [`cell_text`].
//!
//! The cell is prefixed with an apostrophe, which spreadsheets show as text and which a reader
//! can see and strip. Text that is a plain number (`-12.5`) is left alone, so a negative amount
//! in metadata stays a number.

/// Characters that make a spreadsheet treat a cell as a formula.
pub const DANGEROUS_LEADS: &[char] = &['=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}'];

/// The text to write for a cell.
pub fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    let first = text.chars().next();
    let dangerous = first.is_some_and(|c| DANGEROUS_LEADS.contains(&c));
    if dangerous && !is_plain_number(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn is_plain_number(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.chars().filter(|&c| c == '.').count() <= 1
        && body.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_every_dangerous_lead() {
        for text in [
            "=HYPERLINK(\"http://x\")",
            "+1 555 0100 is my number",
            "-- not happy",
            "@SUM(A1)",
            "\tcmd",
            "\rcmd",
            "＝1+1",
        ] {
            let out = cell_text(text);
            assert!(out.starts_with('\''), "{text:?} -> {out:?}");
            assert_eq!(&out[1..], text);
        }
    }

    #[test]
    fn leaves_safe_text_and_numbers() {
        for text in ["hello", "", "-12.5", "+3", "I was charged = twice", "5-4"] {
            assert_eq!(cell_text(text), text);
        }
        assert!(cell_text("-1+2").starts_with('\''));
        assert!(cell_text("-").starts_with('\''));
    }
}
