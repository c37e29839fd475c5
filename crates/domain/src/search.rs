//! Words for full-text search. Chinese has no spaces between words, so text is segmented with
//! jieba before it is indexed: the database's full-text index (SQLite FTS5, PostgreSQL
//! `tsvector`) then sees space-separated words, and every instance shares one index. Documents
//! are cut in search mode (a long word also yields its shorter dictionary words, so "收费站"
//! finds "省界收费站"); queries are cut precisely and every word must match.

use jieba_rs::Jieba;
use std::sync::LazyLock;

/// Loading the dictionary takes a moment; it is done once per process, on first use.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Longest text indexed per document, in characters (a report's text can be long).
pub const MAX_INDEXED_CHARS: usize = 20_000;

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// A word worth indexing: it has a letter or a digit (punctuation and spaces are dropped).
fn is_word(w: &str) -> bool {
    w.chars().any(char::is_alphanumeric)
}

/// The words of `parts`, space-separated and lower-cased, as stored in the index.
pub fn index_terms(parts: &[&str]) -> String {
    let mut out = String::new();
    let mut budget = MAX_INDEXED_CHARS;
    for part in parts {
        if budget == 0 {
            break;
        }
        let text: String = part.chars().take(budget).collect();
        budget = budget.saturating_sub(text.chars().count());
        for t in JIEBA.cut_for_search(&text, true) {
            if is_word(t.word) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&t.word.to_lowercase());
            }
        }
    }
    out
}

/// The words a query must all match, lower-cased and without repeats; empty when the query
/// has no word at all.
pub fn query_terms(q: &str) -> Vec<String> {
    let q: String = q.trim().chars().take(MAX_QUERY_CHARS).collect();
    let mut out: Vec<String> = Vec::new();
    for t in JIEBA.cut(&q, true) {
        let w = t.word.to_lowercase();
        if is_word(&w) && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(terms: &str, w: &str) -> bool {
        terms.split(' ').any(|t| t == w)
    }

    #[test]
    fn a_document_yields_its_words_and_their_shorter_words() {
        let t = index_terms(&["取消高速公路省界收费站"]);
        for w in ["取消", "高速公路", "省界", "收费站", "收费"] {
            assert!(has(&t, w), "{w} missing from {t}");
        }
        assert!(!t.contains("  "));
    }

    #[test]
    fn punctuation_goes_and_latin_is_lower_cased() {
        let t = index_terms(&["“最多跑一次”改革，ETC 门架！"]);
        assert!(has(&t, "etc"), "{t}");
        assert!(
            !t.contains('“') && !t.contains('，') && !t.contains('！'),
            "{t}"
        );
    }

    #[test]
    fn every_query_word_is_in_the_document_it_should_find() {
        let doc = index_terms(&["取消高速公路省界收费站", "推进ETC门架系统建设"]);
        for q in ["收费站", "省界收费站", "高速公路 收费站", "ETC"] {
            let words = query_terms(q);
            assert!(!words.is_empty(), "{q}");
            for w in &words {
                assert!(has(&doc, w), "{q}: {w} not in {doc}");
            }
        }
    }

    #[test]
    fn a_query_of_punctuation_has_no_words() {
        assert!(query_terms(" ，。!? ").is_empty());
        assert_eq!(query_terms("收费站 收费站"), vec!["收费站".to_owned()]);
    }

    #[test]
    fn long_text_is_cut_at_the_budget() {
        let long = "整改".repeat(MAX_INDEXED_CHARS);
        let t = index_terms(&[&long, "收费站"]);
        assert!(!has(&t, "收费站"));
        assert!(t.split(' ').count() <= MAX_INDEXED_CHARS / 2);
    }
}
