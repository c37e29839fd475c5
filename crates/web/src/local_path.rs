//! Where a browser may be sent back to after a sign-in or a switch (`next=`, `back=`): only a
//! path of this site. Browsers drop tabs and newlines from a URL and read `\` as `/`, so
//! `/\t/evil.example` or `/\evil.example` would leave for another host; a newline would not even
//! fit in a `Location` header.

/// `candidate` when it is a local path, else `/`.
///
/// A local path starts with exactly one `/`, holds no control or white-space character and no
/// backslash, and so resolves against any origin to that same origin. Characters outside ASCII
/// are percent-encoded so that the path is always a valid header value.
pub fn local(candidate: Option<&str>) -> String {
    match candidate {
        Some(p) if is_local(p) => p
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    let mut buf = [0u8; 4];
                    c.encode_utf8(&mut buf)
                        .bytes()
                        .map(|b| format!("%{b:02X}"))
                        .collect()
                }
            })
            .collect(),
        _ => "/".to_owned(),
    }
}

fn is_local(p: &str) -> bool {
    let mut chars = p.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/'))
        && !p
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_paths_of_this_site_pass() {
        for ok in ["/", "/orgs", "/ledger?light=red&page=2", "/items/7#history"] {
            assert_eq!(local(Some(ok)), ok);
        }
        assert_eq!(local(Some("/搜索")), "/%E6%90%9C%E7%B4%A2");
        for bad in [
            "",
            "orgs",
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\n/evil.example",
            "/a\r\nSet-Cookie: x=1",
            " /orgs",
            "/ /evil.example",
            "/\u{3000}/evil.example",
            "https://evil.example/",
            "/\u{0}x",
        ] {
            assert_eq!(local(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local(None), "/");
    }
}
