//! A query built from static fragments and bound values. Placeholders are `$1, $2, …`, which
//! both SQLite and PostgreSQL accept, so one text serves both backends. Values are always bound,
//! never spliced into the text.

use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Write;

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    I64(Option<i64>),
    F64(Option<f64>),
    Text(Option<String>),
    Bool(bool),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
}

macro_rules! into_arg {
    ($t:ty, $v:ident => $e:expr) => {
        impl From<$t> for Arg {
            fn from($v: $t) -> Self {
                $e
            }
        }
    };
}
into_arg!(i64, v => Arg::I64(Some(v)));
into_arg!(Option<i64>, v => Arg::I64(v));
into_arg!(f64, v => Arg::F64(Some(v)));
into_arg!(Option<f64>, v => Arg::F64(v));
into_arg!(String, v => Arg::Text(Some(v)));
into_arg!(&String, v => Arg::Text(Some(v.clone())));
into_arg!(&str, v => Arg::Text(Some(v.to_owned())));
into_arg!(Option<String>, v => Arg::Text(v));
into_arg!(Option<&str>, v => Arg::Text(v.map(str::to_owned)));
into_arg!(bool, v => Arg::Bool(v));
into_arg!(DateTime<Utc>, v => Arg::Time(Some(v)));
into_arg!(Option<DateTime<Utc>>, v => Arg::Time(v));
into_arg!(NaiveDate, v => Arg::Date(Some(v)));
into_arg!(Option<NaiveDate>, v => Arg::Date(v));

/// SQL text plus its bound values.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(fragment: &'static str) -> Self {
        Self {
            text: fragment.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends a static fragment.
    pub fn push(mut self, fragment: &'static str) -> Self {
        self.text.push_str(fragment);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn arg(mut self, value: impl Into<Arg>) -> Self {
        self.bind(value);
        self
    }

    /// Appends `$n, $n+1, …` bound to `values`, for the value list of an INSERT.
    pub fn values(mut self, values: impl IntoIterator<Item = Arg>) -> Self {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self
    }

    /// In-place forms, for filters built in loops.
    pub fn add(&mut self, fragment: &'static str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        let _ = write!(self.text, "${}", self.args.len());
        self
    }

    /// `column` lies in the subtree rooted at any of `scopes` (materialised paths). An empty
    /// list matches nothing, so a principal without scope sees nothing.
    pub fn in_subtrees(&mut self, column: &'static str, scopes: &[String]) -> &mut Self {
        if scopes.is_empty() {
            self.add("1 = 0");
            return self;
        }
        self.add("(");
        for (i, s) in scopes.iter().enumerate() {
            if i > 0 {
                self.add(" OR ");
            }
            let (lo, hi) = luodi_domain::org::subtree_range(s);
            self.add("(")
                .add(column)
                .add(" >= ")
                .bind(lo)
                .add(" AND ")
                .add(column)
                .add(" < ")
                .bind(hi)
                .add(")");
        }
        self.add(")");
        self
    }

    /// `LIMIT`/`OFFSET` for a page.
    pub fn page(mut self, page: crate::Page) -> Self {
        self.add(" LIMIT ")
            .bind(page.per_page)
            .add(" OFFSET ")
            .bind(page.offset());
        self
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern and wraps it in `%…%`, lowercased.
pub fn contains_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for c in q.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_in_order() {
        let mut s = Sql::new("SELECT 1 FROM orgs WHERE a = ")
            .arg(1i64)
            .push(" AND ");
        s.in_subtrees("path", &["/1/".to_owned(), "/2/5/".to_owned()]);
        assert_eq!(s.text, "SELECT 1 FROM orgs WHERE a = $1 AND ((path >= $2 AND path < $3) OR (path >= $4 AND path < $5))");
        assert_eq!(s.args[2], Arg::Text(Some("/10".into())));
        assert_eq!(contains_pattern("50%_a"), "%50\\%\\_a%");
        let v = Sql::new("INSERT INTO t (a, b, c) VALUES (")
            .values([Arg::from(1i64), "x".into(), true.into()])
            .push(")");
        assert_eq!(v.text, "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)");
    }
}
