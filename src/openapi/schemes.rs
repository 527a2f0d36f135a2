//! Security schemes to auth methods: the first rule of the mapping (see
//! [`super::mapping`]).
//!
//! One method per scheme, named as the scheme's key, except an OAuth 2
//! scheme whose flows fall in both families (authorization code and
//! client credentials): it becomes two methods, `NAME
//! (authorization_code)` and `NAME (client_credentials)`. Each method
//! declares the scopes of its flows (Swagger 2: the scheme's `scopes`).
//! Where an API key goes is kept as a note (a comment on the method).

use serde_json::Value;

use crate::check::AuthType;

/// The methods one scheme maps to, and what the rules can't say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemeMethods {
    /// Each method's name, type and declared scopes (sorted): one, or two
    /// for an OAuth 2 scheme with flows in both families.
    pub(crate) methods: Vec<(String, AuthType, Vec<String>)>,
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
        methods: vec![(key.to_owned(), kind, Vec::new())],
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

/// An OAuth 2 scheme: its flows' families, and the scopes of each.
fn oauth2(key: &str, def: &Value, swagger: bool) -> SchemeMethods {
    let (mut code, mut client) = (None, None);
    let family = |flow: &str| match flow {
        "accessCode" | "implicit" | "password" if swagger => Some(true),
        "authorizationCode" | "implicit" | "password" if !swagger => Some(true),
        "application" if swagger => Some(false),
        "clientCredentials" if !swagger => Some(false),
        _ => None,
    };
    let flows: Vec<(&str, &Value)> = if swagger {
        def.get("flow")
            .and_then(Value::as_str)
            .map(|flow| (flow, def))
            .into_iter()
            .collect()
    } else {
        def.get("flows")
            .and_then(Value::as_object)
            .map(|flows| flows.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default()
    };
    for (flow, def) in flows {
        let Some(code_family) = family(flow) else {
            continue;
        };
        let scopes: &mut Vec<String> = if code_family {
            code.get_or_insert_with(Vec::new)
        } else {
            client.get_or_insert_with(Vec::new)
        };
        if let Some(declared) = def.get("scopes").and_then(Value::as_object) {
            scopes.extend(declared.keys().cloned());
        }
    }
    for scopes in [&mut code, &mut client].into_iter().flatten() {
        scopes.sort();
        scopes.dedup();
    }
    let mut note = None;
    let methods = match (code, client) {
        (Some(code), Some(client)) => vec![
            (
                format!("{key} (authorization_code)"),
                AuthType::OAuth2AuthorizationCode,
                code,
            ),
            (
                format!("{key} (client_credentials)"),
                AuthType::OAuth2ClientCredentials,
                client,
            ),
        ],
        (None, Some(client)) => vec![(key.to_owned(), AuthType::OAuth2ClientCredentials, client)],
        (Some(code), None) => vec![(key.to_owned(), AuthType::OAuth2AuthorizationCode, code)],
        (None, None) => {
            note = Some("no OAuth 2 flow the mapping knows: taken as authorization code".into());
            vec![(
                key.to_owned(),
                AuthType::OAuth2AuthorizationCode,
                Vec::new(),
            )]
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
        map("s", &def, swagger)
            .methods
            .into_iter()
            .map(|(name, kind, _)| (name, kind))
            .collect()
    }

    #[test]
    fn each_method_declares_its_flows_scopes() {
        let scopes = |def: serde_json::Value, swagger: bool| -> Vec<Vec<String>> {
            map("s", &def, swagger)
                .methods
                .into_iter()
                .map(|(_, _, scopes)| scopes)
                .collect()
        };
        let both = json!({"type": "oauth2", "flows": {
            "implicit": {"scopes": {"write": "", "read": ""}},
            "authorizationCode": {"scopes": {"read": "", "admin": ""}},
            "clientCredentials": {"scopes": {"read:jira-work": ""}}}});
        assert_eq!(
            scopes(both, false),
            [vec!["admin", "read", "write"], vec!["read:jira-work"]]
        );
        let swagger = json!({"type": "oauth2", "flow": "accessCode", "scopes": {"b": "", "a": ""}});
        assert_eq!(scopes(swagger, true), [vec!["a", "b"]]);
        let key = json!({"type": "apiKey", "name": "k", "in": "header"});
        assert_eq!(scopes(key, false), [Vec::<String>::new()]);
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
        assert_eq!(
            odd.methods,
            vec![("j".to_owned(), AuthType::Token, Vec::new())]
        );
    }
}
