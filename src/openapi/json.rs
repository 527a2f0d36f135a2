//! JSON text to the JSON value model, keeping one thing the model loses:
//! the order in which a security requirement names its schemes.
//!
//! serde_json's `Value` keeps an object's keys sorted (authgate does not
//! turn on its `preserve_order`, which would change the order of every
//! object the library writes), yet a requirement naming several schemes
//! becomes one method named by its parts in the spec's order
//! (`clientId + secret`). So the value is built by a visitor of our own,
//! which notes the key order of each object in a list under a `security`
//! key as it goes; everything else is what `serde_json::from_str` builds,
//! with its recursion limit.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// The key orders of security requirements that name several schemes,
/// in the order the text gives them.
pub(crate) type Orders = Vec<Vec<String>>;

/// Parses `text` into a value, adding the key order of every requirement
/// naming several schemes to `orders`.
pub(crate) fn parse(text: &str, orders: &mut Orders) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Seed {
        place: Place::Other,
        orders,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Where a value sits, as far as requirements are concerned.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The value of a `security` key: a list of requirements.
    Security,
    /// An item of such a list: a requirement.
    Requirement,
    /// Anywhere else.
    Other,
}

struct Seed<'o> {
    place: Place,
    orders: &'o mut Orders,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let place = if self.place == Place::Security {
            Place::Requirement
        } else {
            Place::Other
        };
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Seed {
            place,
            orders: &mut *self.orders,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        let mut order = Vec::new();
        while let Some(key) = access.next_key::<String>()? {
            let place = if key == "security" {
                Place::Security
            } else {
                Place::Other
            };
            let value = access.next_value_seed(Seed {
                place,
                orders: &mut *self.orders,
            })?;
            if self.place == Place::Requirement {
                order.push(key.clone());
            }
            map.insert(key, value);
        }
        if order.len() > 1 {
            self.orders.push(order);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn values_are_serde_json_s_and_requirement_orders_are_kept() {
        let text = r#"{"b": [1, -2, 1.5, null, true, "x"], "security": [
            {"secret": [], "clientId": []}, {"one": []}],
            "paths": {"/a": {"get": {"security": [{"z": [], "a": ["s"], "m": []}]}}},
            "other": [{"y": [], "x": []}]}"#;
        let mut orders = Vec::new();
        let value = parse(text, &mut orders).ok();
        assert!(value.is_some());
        assert_eq!(value, serde_json::from_str::<serde_json::Value>(text).ok());
        assert_eq!(
            orders,
            [vec!["secret", "clientId"], vec!["z", "a", "m"]]
                .map(|order| order.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        );
        assert!(parse("{\"a\": 1} x", &mut orders).is_err());
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&deep, &mut orders).is_err());
    }
}
