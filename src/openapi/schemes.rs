//! Security schemes to auth methods: the first rule of the mapping (see
//! [`super::mapping`]).
//!
//! One method per scheme, named as the scheme's key, except an OAuth 2
//! scheme whose flows fall in both families (authorization code and
//! client credentials): it becomes two methods, `NAME
//! (authorization_code)` and `NAME (client_credentials)`. Where an API key
//! goes is kept as a note (a comment on the method).

use serde_json::Value;

use crate::check::AuthType;

/// The methods one scheme maps to, and what the rules can't say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemeMethods {
    /// Each method's name and type: one, or two for an OAuth 2 scheme with
    /// flows in both families.
    pub(crate) methods: Vec<(String, AuthType)>,
    /// Where an API key goes, or why the type is a guess.
    pub(crate) note: Option<String>,
    /// The note says where an API key goes.
    pub(crate) key_location: bool,
    /// The scheme's type is not one OpenAPI defines (mapped to `token`).
    pub(crate) unknown_type: bool,
}

/// Maps the scheme `key`, defined as `def`, of a Swagger 2 document
/// (`swagger`) or an OpenAPI 3 one.
pub(crate) fn map(key: &str, def: &Value, swagger: bool) -> SchemeMethods {
    let text = |field: &str| def.get(field).and_then(Value::as_str).unwrap_or("");
    let one = |kind: AuthType| SchemeMethods {
        methods: vec![(key.to_owned(), kind)],
        note: None,
        key_location: false,
        unknown_type: false,
    };
    match (text("type"), swagger) {
        ("basic", true) => one(AuthType::Basic),
        ("http", false) if text("scheme").eq_ignore_ascii_case("basic") => one(AuthType::Basic),
        ("http" | "mutualTLS", false) => one(AuthType::Token),
        ("apiKey", _) => SchemeMethods {
            note: Some(format!(
                "API key `{}` in {}",
                text("name"),
                match text("in") {
                    "" => "an unnamed place",
                    place => place,
                }
            )),
            key_location: true,
            ..one(AuthType::Token)
        },
        ("openIdConnect", false) => one(AuthType::OAuth2AuthorizationCode),
        ("oauth2", _) => oauth2(key, def, swagger),
        (kind, _) => SchemeMethods {
            note: Some(format!(
                "scheme type `{kind}` is not OpenAPI's: mapped to token"
            )),
            unknown_type: true,
            ..one(AuthType::Token)
        },
    }
}

/// An OAuth 2 scheme: its flows' families.
fn oauth2(key: &str, def: &Value, swagger: bool) -> SchemeMethods {
    let (mut code, mut client) = (false, false);
    if swagger {
        match def.get("flow").and_then(Value::as_str) {
            Some("accessCode" | "implicit" | "password") => code = true,
            Some("application") => client = true,
            _ => {}
        }
    } else if let Some(flows) = def.get("flows").and_then(Value::as_object) {
        for flow in flows.keys() {
            match flow.as_str() {
                "authorizationCode" | "implicit" | "password" => code = true,
                "clientCredentials" => client = true,
                _ => {}
            }
        }
    }
    let mut note = None;
    let methods = match (code, client) {
        (true, true) => vec![
            (
                format!("{key} (authorization_code)"),
                AuthType::OAuth2AuthorizationCode,
            ),
            (
                format!("{key} (client_credentials)"),
                AuthType::OAuth2ClientCredentials,
            ),
        ],
        (false, true) => vec![(key.to_owned(), AuthType::OAuth2ClientCredentials)],
        (true, false) => vec![(key.to_owned(), AuthType::OAuth2AuthorizationCode)],
        (false, false) => {
            note = Some("no OAuth 2 flow the mapping knows: taken as authorization code".into());
            vec![(key.to_owned(), AuthType::OAuth2AuthorizationCode)]
        }
    };
    SchemeMethods {
        methods,
        note,
        key_location: false,
        unknown_type: false,
    }
}

#[cfg(test)]
mod tests {
    use super::map;
    use crate::check::AuthType;
    use serde_json::json;

    fn kinds(def: serde_json::Value, swagger: bool) -> Vec<(String, AuthType)> {
        map("s", &def, swagger).methods
    }

    #[test]
    fn each_type_and_flow_has_its_method_type() {
        use AuthType::*;
        let one = |kind| vec![("s".to_owned(), kind)];
        assert_eq!(
            kinds(json!({"type": "http", "scheme": "Basic"}), false),
            one(Basic)
        );
        assert_eq!(
            kinds(json!({"type": "http", "scheme": "bearer"}), false),
            one(Token)
        );
        assert_eq!(
            kinds(json!({"type": "http", "scheme": "digest"}), false),
            one(Token)
        );
        assert_eq!(kinds(json!({"type": "mutualTLS"}), false), one(Token));
        assert_eq!(
            kinds(
                json!({"type": "apiKey", "name": "k", "in": "header"}),
                false
            ),
            one(Token)
        );
        assert_eq!(
            kinds(json!({"type": "openIdConnect"}), false),
            one(OAuth2AuthorizationCode)
        );
        for flow in ["authorizationCode", "implicit", "password"] {
            let def = json!({"type": "oauth2", "flows": {flow: {}}});
            assert_eq!(kinds(def, false), one(OAuth2AuthorizationCode), "{flow}");
        }
        let client = json!({"type": "oauth2", "flows": {"clientCredentials": {}}});
        assert_eq!(kinds(client, false), one(OAuth2ClientCredentials));
        let both = json!({"type": "oauth2", "flows": {"implicit": {}, "clientCredentials": {}}});
        assert_eq!(
            kinds(both, false),
            vec![
                ("s (authorization_code)".to_owned(), OAuth2AuthorizationCode),
                ("s (client_credentials)".to_owned(), OAuth2ClientCredentials)
            ]
        );
        // Swagger 2.
        assert_eq!(kinds(json!({"type": "basic"}), true), one(Basic));
        assert_eq!(kinds(json!({"type": "apiKey"}), true), one(Token));
        for flow in ["accessCode", "implicit", "password"] {
            let def = json!({"type": "oauth2", "flow": flow});
            assert_eq!(kinds(def, true), one(OAuth2AuthorizationCode), "{flow}");
        }
        let app = json!({"type": "oauth2", "flow": "application"});
        assert_eq!(kinds(app, true), one(OAuth2ClientCredentials));
    }

    #[test]
    fn what_the_rules_cannot_say_is_a_note() {
        let key = map(
            "k",
            &json!({"type": "apiKey", "name": "X-Key", "in": "header"}),
            false,
        );
        assert_eq!(key.note.as_deref(), Some("API key `X-Key` in header"));
        assert!(key.key_location);
        let odd = map("j", &json!({"type": "JWT"}), false);
        assert!(odd.unknown_type);
        assert_eq!(odd.methods, vec![("j".to_owned(), AuthType::Token)]);
    }
}
