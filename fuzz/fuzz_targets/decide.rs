//! The wasm boundary itself: `decide` on any text, and on calls built from its operation table
//! with arbitrary fields. Never panics; always JSON; a call with too few fields, or with too many
//! where the last field is not free text, is `internal_error`, never a guess.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use supabase_workos::protocol::api::{decide, OPERATIONS};

#[derive(Arbitrary, Debug)]
enum Input<'a> {
    Raw(&'a str),
    Call { op: u8, fields: Vec<&'a str> },
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).expect("decide answers JSON")
}

fuzz_target!(|input: Input<'_>| match input {
    Input::Raw(text) => {
        json(&decide(text));
    }
    Input::Call { op, fields } => {
        let Some((letter, kinds)) = OPERATIONS.get(usize::from(op) % OPERATIONS.len()) else {
            return;
        };
        let text = [*letter].into_iter().chain(fields.iter().copied()).collect::<Vec<_>>().join("\0");
        let out = json(&decide(&text));
        let given = fields.len() + fields.iter().map(|f| f.matches('\0').count()).sum::<usize>();
        let free_tail = kinds.ends_with('t');
        let wrong_count = given < kinds.len() || (!free_tail && given > kinds.len());
        if wrong_count {
            assert_eq!(
                out["error"]["code"], "internal_error",
                "{letter} with {given} fields"
            );
        }
    }
});
