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

/// True for null, a blank string and an empty list or object: a field given no value.
pub fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// What kind of JSON value `v` is, for messages ("a list", "a string"…).
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
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
        assert!(["d", "c"].iter().all(|k| is_blank(&v[k])) && is_blank(&json!([])) && is_blank(&json!({})));
        assert!(!is_blank(&v["a"]) && !is_blank(&json!(false)));
    }
}
