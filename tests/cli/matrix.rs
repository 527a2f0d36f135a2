//! `authgate matrix`: activations and visibility, wide columns with a
//! legend, its formats, markup in names, and its cell limit.

use std::process::Command;

use crate::support::{assert_fails, authgate, authgate_in, code, folder, json, stderr, stdout};

#[test]
fn matrix_shows_activations_and_visibility() {
    let output = authgate(&["matrix", "shop"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "connector `shop`\n\n\
         endpoint \\ method  basic  OAuth 2\n\
         orders               ✓       ·\n\
         customers            ✓       ✓\n\
         products             ✓       ✓\n\n\
         endpoint \\ instance  instance 1  instance 2\n\
         orders                   ✓           ·\n\
         customers                ✓           ✓\n\
         products                 ✓           ✓\n"
    );
}

#[test]
fn matrix_numbers_wide_columns_with_a_legend() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authgate"));
    command
        .args(["matrix", "crm"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COLUMNS", "30");
    let output = command.output().expect("runs");
    let out = stdout(&output);
    assert!(out.contains("endpoint \\ method  1  2\n"), "{out}");
    assert!(out.contains("    1  api_token\n    2  service\n"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour off a terminal");
}

#[test]
fn matrix_markdown_csv_and_json() {
    let output = authgate(&["matrix", "crm", "--format", "markdown"]);
    assert!(
        stdout(&output).contains("| `bulk_export` |   | ✓ |"),
        "{}",
        stdout(&output)
    );
    let output = authgate(&["matrix", "weather", "--format", "csv"]);
    let out = stdout(&output);
    assert!(out.starts_with("connector,endpoint,kind,column,value\n"));
    assert!(
        out.contains("weather,history,method,public,false\n"),
        "{out}"
    );
    assert!(
        out.contains("weather,history,instance,weather paid,true\n"),
        "{out}"
    );
    let output = authgate(&["matrix", "--format", "json"]);
    let document = json(&output);
    let connectors = document["connectors"].as_array().expect("connectors");
    assert_eq!(connectors.len(), 4);
    let shop = connectors
        .iter()
        .find(|c| c["connector"] == "shop")
        .expect("shop listed");
    assert_eq!(shop["methods"], serde_json::json!(["basic", "OAuth 2"]));
    assert_eq!(
        shop["endpoints"][0]["activated"],
        serde_json::json!([true, false])
    );
    assert_eq!(
        shop["endpoints"][0]["visible"],
        serde_json::json!([true, false])
    );
}

#[test]
fn matrix_of_an_unknown_connector_cannot_answer() {
    let output = authgate(&["matrix", "shpo"]);
    assert_fails(&output, 2, "unknown connector `shpo`; did you mean `shop`?");
}

/// Names in `matrix --format markdown` render as themselves: a
/// backtick can't end the code span, HTML is not interpreted, a pipe
/// doesn't split a cell (rendered with pulldown-cmark's GitHub tables).
#[test]
fn matrix_markdown_cannot_inject_markup() {
    let dir = folder(&[(
        "evil.gate",
        b"connector \"a`b<script>x</script>|y\" {\n    auth \"m`\": basic\n    \
          endpoint \"`tick\" < auth: [\"m`\"] >\n    \
          endpoint \"<img src=x onerror=alert(1)>|z\" < auth: [\"m`\"] >\n}\n",
    )]);
    let output = authgate_in(
        dir.path(),
        &["matrix", "--rules", "evil.gate", "--format", "markdown"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let markdown = stdout(&output);
    let parser = pulldown_cmark::Parser::new_ext(&markdown, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
    for name in [
        "a`b&lt;script&gt;x&lt;/script&gt;|y",
        "m`",
        "`tick",
        "&lt;img src=x onerror=alert(1)&gt;|z",
    ] {
        assert!(
            html.contains(&format!("<code>{name}</code>")),
            "{name} in {html}"
        );
    }
    // Every row has its two cells: the pipe in a name split none.
    assert_eq!(html.matches("<tr>").count(), 3, "{html}");
    assert_eq!(html.matches("<td").count(), 4, "{html}");
}

/// The matrix is the product of two dimensions; past
/// `--max-cells` it is refused with exit 2 instead of filling memory.
#[test]
fn matrix_refuses_more_cells_than_the_limit() {
    let output = authgate(&["matrix", "--max-cells", "10"]);
    assert_fails(
        &output,
        2,
        "the matrix would have 44 cells, more than --max-cells 10; name one connector",
    );
    assert_eq!(stdout(&output), "");
    assert_eq!(code(&authgate(&["matrix", "--max-cells", "44"])), 0);
    assert_eq!(code(&authgate(&["matrix", "--max-cells", "43"])), 2);
}
