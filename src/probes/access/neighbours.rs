//! Ids that look sequential — all digits, or a prefix and a number (`msg_1042`, `C-0042`) —
//! and the ids next to them, which on such a server are likely other people's records.

use serde_json::{Map, Value};

/// The id inputs (`*_id`) among `given` whose values in `inputs` look sequential, each with its
/// two neighbours (a number stays a number).
pub fn of(inputs: &Map<String, Value>, given: &[String]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for key in given.iter().filter(|k| k.ends_with("_id")) {
        match inputs.get(key) {
            Some(Value::String(id)) => {
                out.extend(
                    neighbours(id)
                        .into_iter()
                        .map(|n| (key.clone(), Value::String(n))),
                );
            }
            Some(Value::Number(n)) if n.as_u64().is_some() => {
                let id = n.to_string();
                out.extend(
                    neighbours(&id)
                        .into_iter()
                        .filter_map(|n| n.parse::<u64>().ok())
                        .map(|n| (key.clone(), Value::from(n))),
                );
            }
            _ => {}
        }
    }
    out
}

/// The ids one below and one above `id`, keeping its prefix and zero padding; none when the
/// id does not end in a number or looks random (a UUID, a long hash).
fn neighbours(id: &str) -> Vec<String> {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (prefix, number) = id.split_at(id.len() - digits);
    // A prefix that is itself hex-like or long is a random id with digits at its end; so is
    // one whose number follows more than a short tag of letters after its last separator
    // (`c-abcdef123456` is random hex that happens to end in digits, `msg1042` is numbered).
    let tag = prefix
        .rsplit(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    let sequential = (1..=12).contains(&digits)
        && prefix.len() <= 8
        && tag.len() <= 3
        && !prefix.chars().any(|c| c.is_ascii_digit());
    let Ok(n) = number.parse::<u64>() else {
        return Vec::new();
    };
    if !sequential {
        return Vec::new();
    }
    [n.checked_sub(1), n.checked_add(1)]
        .into_iter()
        .flatten()
        .map(|m| format!("{prefix}{m:0digits$}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_prefixed_numbers_have_neighbours() {
        assert_eq!(neighbours("10042"), ["10041", "10043"]);
        assert_eq!(neighbours("msg_0042"), ["msg_0041", "msg_0043"]);
        assert_eq!(neighbours("C-7"), ["C-6", "C-8"]);
        assert_eq!(neighbours("0"), ["1"]);
    }

    #[test]
    fn random_ids_have_none() {
        assert!(neighbours("3f2b8c1e-9a4d-4e6b-8f0a-2c5d7e9b1a34").is_empty());
        assert!(neighbours("a81f93c0d7").is_empty());
        assert!(
            neighbours("c-abcdef123456").is_empty(),
            "hex letters then digits: random"
        );
        assert_eq!(neighbours("msg1042"), ["msg1041", "msg1043"]);
        assert!(neighbours("conversation").is_empty());
        assert!(neighbours("").is_empty());
    }

    #[test]
    fn only_the_given_id_inputs_are_tried() {
        let mut inputs = Map::new();
        inputs.insert("conversation_id".into(), Value::String("c12".into()));
        inputs.insert("message_id".into(), Value::from(10042));
        inputs.insert("run_id".into(), Value::String("vv12".into()));
        inputs.insert("body".into(), Value::String("x 12".into()));
        let given = ["conversation_id", "message_id", "body"].map(String::from);
        assert_eq!(
            of(&inputs, &given),
            [
                ("conversation_id".to_string(), Value::from("c11")),
                ("conversation_id".to_string(), Value::from("c13")),
                ("message_id".to_string(), Value::from(10041)),
                ("message_id".to_string(), Value::from(10043)),
            ]
        );
    }
}
