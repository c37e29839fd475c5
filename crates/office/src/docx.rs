//! The few parts of a Word document luodi writes (bulletins, briefings): paragraphs in the
//! official style, tables, inline PNG/JPEG pictures, and the package around them. Written as
//! XML directly: the layouts are fixed and small, and no crate is needed for them.

use std::io::Write;

/// Text as XML 1.0 character data: markup escaped, and every character XML 1.0 does not allow
/// (control characters but tab and line breaks, U+FFFE, U+FFFF) left out, so that no text a
/// unit typed can make the document unreadable.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// A paragraph: `size` in half-points, centred or not, bold or not, in red or not.
pub(crate) fn para(text: &str, size: u32, center: bool, bold: bool, red: bool) -> String {
    format!(
        "<w:p><w:pPr>{}<w:spacing w:after=\"120\"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii=\"SimSun\" w:hAnsi=\"SimSun\" w:eastAsia=\"宋体\"/>{}{}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        if center { "<w:jc w:val=\"center\"/>" } else { "" },
        if bold { "<w:b/>" } else { "" },
        if red { "<w:color w:val=\"C8161D\"/>" } else { "" },
        esc(text)
    )
}

/// The red rule under an official header.
pub(crate) fn red_rule() -> &'static str {
    "<w:p><w:pPr><w:pBdr><w:bottom w:val=\"single\" w:sz=\"18\" w:color=\"C8161D\"/></w:pBdr></w:pPr></w:p>"
}

/// A bar chart drawn as a table (label, bar, value), so that every word processor shows it
/// without images or embedded chart parts: each bar is a shaded cell as wide as its share of the
/// largest value. `color` is an RGB hex such as `165DFF`.
pub(crate) fn bar_table(bars: &[(String, f64, String)], color: &str) -> String {
    const BAR: f64 = 5000.0; // twips of the widest bar
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
    let run = |t: &str| {
        format!(
            "<w:p><w:pPr><w:spacing w:after=\"0\"/></w:pPr><w:r><w:rPr><w:sz w:val=\"20\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            esc(t)
        )
    };
    let mut out = String::from("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"2400\"/><w:gridCol w:w=\"5200\"/><w:gridCol w:w=\"1200\"/></w:tblGrid>");
    for (label, value, shown) in bars {
        let w = if max > 0.0 {
            ((value.max(0.0) / max) * BAR).round() as i64
        } else {
            0
        };
        let bar = if w > 0 {
            format!(
                "<w:tbl><w:tblPr><w:tblW w:w=\"{w}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"{w}\"/></w:tblGrid><w:tr><w:trPr><w:trHeight w:val=\"200\"/></w:trPr><w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{color}\"/></w:tcPr><w:p><w:pPr><w:spacing w:after=\"0\"/></w:pPr></w:p></w:tc></w:tr></w:tbl>"
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<w:tr><w:tc><w:tcPr><w:tcW w:w=\"2400\" w:type=\"dxa\"/></w:tcPr>{}</w:tc><w:tc><w:tcPr><w:tcW w:w=\"5200\" w:type=\"dxa\"/></w:tcPr>{bar}<w:p><w:pPr><w:spacing w:after=\"0\"/></w:pPr></w:p></w:tc><w:tc><w:tcPr><w:tcW w:w=\"1200\" w:type=\"dxa\"/></w:tcPr>{}</w:tc></w:tr>",
            run(label),
            run(shown)
        ));
    }
    out.push_str("</w:tbl>");
    out
}

pub(crate) fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let cell = |t: &str, bold: bool| {
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr>{}<w:sz w:val=\"21\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
            if bold { "<w:b/>" } else { "" },
            esc(t)
        )
    };
    let border = "<w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>";
    let mut x = format!("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>{border}</w:tblBorders></w:tblPr>");
    x.push_str("<w:tr>");
    for h in headers {
        x.push_str(&cell(h, true));
    }
    x.push_str("</w:tr>");
    for r in rows {
        x.push_str("<w:tr>");
        for v in r {
            x.push_str(&cell(v, false));
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
    x
}

/// A picture the document carries (PNG or JPEG; other formats are not embedded).
#[derive(Debug, Clone)]
pub struct Picture {
    pub bytes: Vec<u8>,
    /// Shown under the picture.
    pub caption: String,
}

/// Pixel size and file extension of a PNG or JPEG, read from its header.
pub fn picture_size(b: &[u8]) -> Option<(u32, u32, &'static str)> {
    if b.len() >= 24 && b.starts_with(b"\x89PNG\r\n\x1a\n") && &b[12..16] == b"IHDR" {
        let w = u32::from_be_bytes([b[16], b[17], b[18], b[19]]);
        let h = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
        return (w > 0 && h > 0).then_some((w, h, "png"));
    }
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    // Walk the JPEG segments to the first start-of-frame marker, which holds the size.
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        let sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if sof {
            let h = u32::from(u16::from_be_bytes([b[i + 5], b[i + 6]]));
            let w = u32::from(u16::from_be_bytes([b[i + 7], b[i + 8]]));
            return (w > 0 && h > 0).then_some((w, h, "jpeg"));
        }
        i += 2 + len;
    }
    None
}

/// Collects the pictures of a document as it is written, and the drawing XML for each.
#[derive(Default)]
pub(crate) struct Media {
    files: Vec<(String, Vec<u8>)>,
}

impl Media {
    /// The paragraph showing `p`, at most 15 cm wide; `None` if it is not a PNG or JPEG.
    pub(crate) fn picture(&mut self, p: &Picture) -> Option<String> {
        let (w, h, ext) = picture_size(&p.bytes)?;
        const EMU_PER_PX: u64 = 9525;
        const MAX_CX: u64 = 5_400_000;
        let (mut cx, mut cy) = (u64::from(w) * EMU_PER_PX, u64::from(h) * EMU_PER_PX);
        if cx > MAX_CX {
            cy = cy * MAX_CX / cx;
            cx = MAX_CX;
        }
        let n = self.files.len() + 1;
        self.files
            .push((format!("image{n}.{ext}"), p.bytes.clone()));
        Some(format!(
            "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">\
             <wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{n}\" name=\"Picture {n}\"/>\
             <a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
             <pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"image{n}.{ext}\"/><pic:cNvPicPr/></pic:nvPicPr>\
             <pic:blipFill><a:blip r:embed=\"rIdImg{n}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
             <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>\
             </a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>{}",
            para(&p.caption, 21, true, false, false)
        ))
    }
}

/// The whole package: `body` (paragraphs and tables) on an A4 page, and the pictures it shows.
pub(crate) fn package(body: &str, media: Media) -> Result<Vec<u8>, String> {
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
         xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\"><w:body>{body}\
         <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"720\" w:footer=\"720\" w:gutter=\"0\"/></w:sectPr>\
         </w:body></w:document>"
    );
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Default Extension=\"png\" ContentType=\"image/png\"/>\
        <Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>\
        <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
        </Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
        </Relationships>";
    let mut doc_rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for (i, (name, _)) in media.files.iter().enumerate() {
        doc_rels.push_str(&format!(
            "<Relationship Id=\"rIdImg{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/{name}\"/>",
            i + 1
        ));
    }
    doc_rels.push_str("</Relationships>");
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in [
            ("[Content_Types].xml", content_types.as_bytes()),
            ("_rels/.rels", rels.as_bytes()),
            ("word/document.xml", document.as_bytes()),
            ("word/_rels/document.xml.rels", doc_rels.as_bytes()),
        ] {
            z.start_file(name, opts).map_err(|e| e.to_string())?;
            z.write_all(data).map_err(|e| e.to_string())?;
        }
        // Pictures are compressed already.
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, bytes) in &media.files {
            z.start_file(format!("word/media/{name}"), stored)
                .map_err(|e| e.to_string())?;
            z.write_all(bytes).map_err(|e| e.to_string())?;
        }
        z.finish().map_err(|e| e.to_string())?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_becomes_xml_1_0_character_data() {
        assert_eq!(super::esc("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
        assert_eq!(
            super::esc("标题\x0b\x01\x08\x1b[31m正文\u{FFFE}"),
            "标题[31m正文"
        );
        assert_eq!(super::esc("第一行\n\t第二行\r\n"), "第一行\n\t第二行\r\n");
    }

    use super::*;

    #[test]
    fn reads_png_and_jpeg_sizes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(picture_size(&png), Some((640, 480, "png")));
        // SOI, an APP0 segment of 16 bytes, then SOF0 with height 300 and width 400.
        let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpg.extend_from_slice(&[0; 14]);
        jpg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x2C, 0x01, 0x90, 0x03]);
        jpg.extend_from_slice(&[0; 12]);
        assert_eq!(picture_size(&jpg), Some((400, 300, "jpeg")));
        assert_eq!(picture_size(b"GIF89a...................."), None);
        assert_eq!(picture_size(&[0xFF, 0xD8, 0x00]), None);
    }
}
