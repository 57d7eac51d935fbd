//! Reading loosely typed JSON the way real exports write it: ids as numbers or strings,
//! fields missing, null or empty.

use serde_json::Value;

/// The text of a string or number field, trimmed; `None` when missing, null or blank.
pub fn text(v: &Value, key: &str) -> Option<String> {
    as_text(v.get(key)?)
}

/// A string or number as trimmed text; `None` for anything else or blank.
pub fn as_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// The items of an array field; empty when missing or not an array.
pub fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_may_be_strings_or_numbers() {
        let v = json!({"a": 12, "b": " x ", "c": "", "d": null, "e": [1], "l": [1, 2]});
        assert_eq!(text(&v, "a").as_deref(), Some("12"));
        assert_eq!(text(&v, "b").as_deref(), Some("x"));
        assert_eq!(text(&v, "c"), None);
        assert_eq!(text(&v, "d"), None);
        assert_eq!(text(&v, "e"), None);
        assert_eq!(text(&v, "missing"), None);
        assert_eq!(list(&v, "l").len(), 2);
        assert!(list(&v, "a").is_empty());
    }
}
