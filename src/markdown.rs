//! Course and lesson text: Markdown written by instructors, rendered to HTML and then cleaned by
//! ammonia's allow-list, so scripts, event handlers, `javascript:` URLs and raw HTML tricks never
//! reach a learner's browser.

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect());
    b
});

/// Safe HTML for `source`.
pub fn to_html(source: &str) -> String {
    let parser = Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS,
    );
    let mut raw = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    CLEANER.clean(&raw).to_string()
}

/// The tera filter `markdown`: `{{ text | markdown | safe }}`.
pub fn filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let source = value
        .as_str()
        .ok_or_else(|| tera::Error::msg("markdown takes text"))?;
    Ok(tera::Value::String(to_html(source)))
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markdown_renders() {
        let html = to_html("# Title\n\nSome *emphasis* and [a link](https://example.com).");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<em>emphasis</em>"), "{html}");
        assert!(
            html.contains(
                r#"<a href="https://example.com" rel="noopener noreferrer nofollow">a link</a>"#
            ),
            "{html}"
        );
    }

    #[test]
    fn hostile_input_loses_every_active_part() {
        let hostile = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](&#106;avascript:alert(1))",
            "<a href=\"javascript&colon;alert(1)\">x</a>",
            "<iframe src=\"https://evil.test\"></iframe>",
            "<svg><script>alert(1)</script></svg>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<form action=\"https://evil.test\"><input name=a></form>",
            "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<p onclick=\"alert(1)\">hi</p>",
            "<object data=\"x.swf\"></object><embed src=\"x\">",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.test\">",
        ];
        for input in hostile {
            let out = to_html(input).to_lowercase();
            for banned in [
                "<script",
                "onerror",
                "onclick",
                "javascript:",
                "<iframe",
                "<svg",
                "style=",
                "<form",
                "<input",
                "data:",
                "<object",
                "<embed",
                "<meta",
            ] {
                assert!(!out.contains(banned), "{input:?} gave {out:?}");
            }
        }
    }
}
