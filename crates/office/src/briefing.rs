//! A briefing (工作简报) as a Word document: the red masthead with its issue number, issuer and
//! date, then each adopted submission with its title, the unit that sent it, its text and its
//! photos.

use crate::docx::{package, para, red_rule, Media, Picture};

/// One submission carried by a briefing.
#[derive(Debug, Clone, Default)]
pub struct BriefingEntry {
    pub title: String,
    /// e.g. 【省交通运输厅】
    pub source: String,
    pub body: String,
    pub pictures: Vec<Picture>,
}

/// A briefing ready to be written, in the reader's language.
#[derive(Debug, Clone, Default)]
pub struct BriefingDoc {
    /// e.g. 主题教育工作简报
    pub masthead: String,
    /// e.g. 第2期
    pub issue: String,
    /// e.g. 省委主题教育领导小组办公室　2026年11月27日
    pub issuer_line: String,
    /// The briefing's own title, if it has one besides the masthead.
    pub title: String,
    pub entries: Vec<BriefingEntry>,
}

pub fn to_docx(d: &BriefingDoc) -> Result<Vec<u8>, String> {
    let mut media = Media::default();
    let mut body = String::new();
    body.push_str(&para(&d.masthead, 52, true, true, true));
    body.push_str(&para(&d.issue, 32, true, false, false));
    body.push_str(&para(&d.issuer_line, 28, true, false, false));
    body.push_str(red_rule());
    if !d.title.is_empty() {
        body.push_str(&para(&d.title, 32, true, true, false));
    }
    for e in &d.entries {
        body.push_str(&para(&e.title, 32, true, true, false));
        if !e.source.is_empty() {
            body.push_str(&para(&e.source, 24, true, false, false));
        }
        for line in e.body.lines().map(str::trim).filter(|l| !l.is_empty()) {
            // Official text opens each paragraph with two full-width spaces.
            body.push_str(&para(
                &format!("\u{3000}\u{3000}{line}"),
                28,
                false,
                false,
                false,
            ));
        }
        for p in &e.pictures {
            match media.picture(p) {
                Some(x) => body.push_str(&x),
                None => body.push_str(&para(&p.caption, 21, true, false, false)),
            }
        }
    }
    package(&body, media)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn briefing_docx_carries_entries_and_pictures() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&1600u32.to_be_bytes());
        png.extend_from_slice(&1200u32.to_be_bytes());
        png.extend_from_slice(&[0; 20]);
        let d = BriefingDoc {
            masthead: "主题教育工作简报".into(),
            issue: "第2期".into(),
            issuer_line: "省委主题教育领导小组办公室　2026年11月27日".into(),
            title: String::new(),
            entries: vec![BriefingEntry {
                title: "省交通运输厅取消高速公路省界收费站 <1>".into(),
                source: "【省交通运输厅】".into(),
                body: "第一段。\n\n第二段。".into(),
                pictures: vec![
                    Picture {
                        bytes: png,
                        caption: "现场.png".into(),
                    },
                    Picture {
                        bytes: b"GIF89a".to_vec(),
                        caption: "动图.gif".into(),
                    },
                ],
            }],
        };
        let bytes = to_docx(&d).expect("docx");
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut xml = String::new();
        z.by_name("word/document.xml")
            .expect("doc")
            .read_to_string(&mut xml)
            .expect("read");
        for s in [
            "主题教育工作简报",
            "第2期",
            "收费站 &lt;1&gt;",
            "　　第一段。",
            "　　第二段。",
            "r:embed=\"rIdImg1\"",
            "cx=\"5400000\" cy=\"4050000\"",
            "动图.gif",
        ] {
            assert!(xml.contains(s), "{s}");
        }
        assert!(!xml.contains("rIdImg2"));
        let mut rels = String::new();
        z.by_name("word/_rels/document.xml.rels")
            .expect("rels")
            .read_to_string(&mut rels)
            .expect("read");
        assert!(rels.contains("media/image1.png"));
        assert!(z.by_name("word/media/image1.png").is_ok());
    }
}
