//! Redaction of personal data in quotes: payment cards, US social security numbers, email
//! addresses and phone numbers become `[CARD]`, `[SSN]`, `[EMAIL]` and `[PHONE]`.
//!
//! Only text that leaves earful (quotes, examples) is redacted, so the hot matching path pays
//! nothing. Cards are Luhn-checked so that order numbers of the same length survive.

use std::sync::OnceLock;

use regex::Regex;

struct Patterns {
    email: Regex,
    card: Regex,
    ssn: Regex,
    phone: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        email: Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b").expect("valid regex"),
        card: Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").expect("valid regex"),
        ssn: Regex::new(r"\b\d{3}-\d{2}-\d{4}\b").expect("valid regex"),
        phone: Regex::new(r"(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)[ .-]?|\b\d{3}[ .-])?\b\d{3}[ .-]\d{4}\b")
            .expect("valid regex"),
    })
}

/// Returns `text` with personal data replaced by placeholders.
pub fn redact(text: &str) -> String {
    let p = patterns();
    let out = p.email.replace_all(text, "[EMAIL]");
    let out = p.card.replace_all(&out, |c: &regex::Captures| {
        let digits: Vec<u32> = c[0].chars().filter_map(|ch| ch.to_digit(10)).collect();
        if luhn(&digits) {
            "[CARD]".to_string()
        } else {
            c[0].to_string()
        }
    });
    let out = p.ssn.replace_all(&out, "[SSN]");
    let out = p.phone.replace_all(&out, "[PHONE]");
    out.into_owned()
}

/// The Luhn checksum used by payment card numbers.
fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    digits.len() >= 13 && sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_positives_and_keeps_near_misses() {
        let cases = [
            ("my card is 4111 1111 1111 1111 ok", "my card is [CARD] ok"),
            ("card 4111-1111-1111-1111.", "card [CARD]."),
            ("order 4111 1111 1111 1112 please", "order 4111 1111 1111 1112 please"),
            ("mail me at jane.doe@example.com now", "mail me at [EMAIL] now"),
            ("call 555-0142 or (212) 555-0199", "call [PHONE] or [PHONE]"),
            ("+1 555 010 0100 is my number", "[PHONE] is my number"),
            ("ssn 078-05-1120 thanks", "ssn [SSN] thanks"),
            ("order 4471-2209 arrived", "order 4471-2209 arrived"),
            ("it cost 19.99 dollars", "it cost 19.99 dollars"),
        ];
        for (input, expect) in cases {
            assert_eq!(redact(input), expect, "{input}");
        }
    }
}
