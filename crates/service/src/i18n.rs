//! Interface languages: zh-CN (default) and en, from Fluent files compiled into the binary.
//! Every key exists in both languages (a test checks it). Pages, notices and documents all
//! speak through it.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "zh-CN" | "zh" | "zh-cn" => Some(Lang::ZhCn),
            "en" | "en-US" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language in an `Accept-Language` header; Chinese otherwise.
    pub fn from_accept_language(h: &str) -> Lang {
        for part in h.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("zh") {
                return Lang::ZhCn;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::ZhCn
    }
}

const ZH: &[&str] = &[
    include_str!("../locales/zh-CN/main.ftl"),
    include_str!("../locales/zh-CN/errors.ftl"),
    include_str!("../locales/zh-CN/pages.ftl"),
    include_str!("../locales/zh-CN/manage.ftl"),
    include_str!("../locales/zh-CN/ledger.ftl"),
];
const EN: &[&str] = &[
    include_str!("../locales/en/main.ftl"),
    include_str!("../locales/en/errors.ftl"),
    include_str!("../locales/en/pages.ftl"),
    include_str!("../locales/en/manage.ftl"),
    include_str!("../locales/en/ledger.ftl"),
];

pub struct I18n {
    zh: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: &str, sources: &[&str]) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks would show up as stray characters in tables and exports.
    b.set_use_isolating(false);
    for src in sources {
        let res = FluentResource::try_new((*src).to_owned()).unwrap_or_else(|(res, errs)| {
            tracing::error!(?errs, lang, "errors in a locale file");
            res
        });
        if let Err(errs) = b.add_resource(res) {
            tracing::error!(?errs, lang, "duplicate keys in locale files");
        }
    }
    b
}

impl I18n {
    pub fn load() -> Self {
        Self {
            zh: bundle("zh-CN", ZH),
            en: bundle("en", EN),
        }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::ZhCn => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// Whether `key` exists in `lang`.
    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundle(lang).has_message(key)
    }

    /// The message `key` in `lang`, with arguments; the key itself if it is missing.
    pub fn tr(&self, lang: Lang, key: &str, args: &[(&str, String)]) -> String {
        let b = self.bundle(lang);
        let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        let mut errs = Vec::new();
        b.format_pattern(
            pattern,
            if args.is_empty() { None } else { Some(&fa) },
            &mut errs,
        )
        .into_owned()
    }

    pub fn t(&self, lang: Lang, key: &str) -> String {
        self.tr(lang, key, &[])
    }

    /// All message ids of a language, for the completeness test.
    pub fn keys(lang: Lang) -> Vec<String> {
        let srcs = match lang {
            Lang::ZhCn => ZH,
            Lang::En => EN,
        };
        let mut out = Vec::new();
        for src in srcs {
            for line in src.lines() {
                if let Some((k, _)) = line.split_once(" =") {
                    if !k.starts_with([' ', '#', '.', '-', '*', '[']) && !k.is_empty() {
                        out.push(k.trim().to_owned());
                    }
                }
            }
        }
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh = I18n::keys(Lang::ZhCn);
        let en = I18n::keys(Lang::En);
        let missing_en: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        let missing_zh: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(missing_zh.is_empty(), "missing in zh-CN: {missing_zh:?}");
        assert!(zh.len() > 50);
    }

    #[test]
    fn translates_with_arguments() {
        let i = I18n::load();
        assert_eq!(i.t(Lang::ZhCn, "app-name"), "落地");
        assert!(i
            .tr(Lang::En, "err-too_long", &[("max", "10".into())])
            .contains("10"));
        assert_eq!(i.t(Lang::En, "no-such-key"), "no-such-key");
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::ZhCn
        );
        assert_eq!(Lang::from_accept_language(""), Lang::ZhCn);
    }
}
