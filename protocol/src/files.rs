//! v2 files: what an upload answers and how a message carries its files
//! (`docs/PROTOCOL.md`, *Files*).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most files one message carries.
pub const MAX_ATTACHMENTS: usize = 10;
/// Longest file name, in characters (longer names are cut).
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// A stored file, as `POST /api/rooms/{id}/files` answers it and as a
/// `message`'s `attachments` list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: Uuid,
    pub name: String,
    /// Bytes.
    pub size: u64,
    pub mime: String,
    /// Where to download it: `/api/files/{id}`.
    pub url: String,
    /// For an image: a small JPEG of it (`/api/files/{id}/thumbnail`), and
    /// its size in pixels (Confab additions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl Attachment {
    pub fn url_of(id: Uuid) -> String {
        format!("/api/files/{id}")
    }

    pub fn thumbnail_of(id: Uuid) -> String {
        format!("/api/files/{id}/thumbnail")
    }

    /// Whether browsers show it inline (the thumbnail is what the list shows).
    pub fn is_image(&self) -> bool {
        self.thumbnail.is_some()
    }
}

/// A file name made safe to store and to show: no path, no control or
/// format characters (a right-to-left override would make `invoice\u{202E}gpj.exe`
/// read as `invoiceexe.jpg`), at most [`MAX_FILE_NAME_CHARS`]; "file" when
/// nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !is_hidden_control(*c))
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    // Dots and spaces in any mix at the start ("  . .htaccess"): a name
    // never starts with a dot (no hidden files) nor a space.
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    if cleaned.is_empty() {
        "file".to_string()
    } else {
        cleaned.to_string()
    }
}

/// Whether `c` is a control (Cc) or format (Cf) character: not shown itself,
/// it changes how what follows it is shown (bidi overrides and isolates,
/// zero-width spaces and marks, the byte order mark, tags). The zero-width
/// joiner is kept: emoji sequences (👩‍💻) are made with it, and it reorders
/// nothing.
pub fn is_hidden_control(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.is_control() || (c.general_category() == GeneralCategory::Format && c != '\u{200D}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\a\\report.pdf"), "report.pdf");
        assert_eq!(clean_file_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(clean_file_name("  "), "file");
        assert_eq!(clean_file_name(".htaccess"), "htaccess");
        // Found by the fuzzer: a dot left first once the spaces went.
        assert_eq!(clean_file_name(".\u{0}  .hidden \u{200B}x"), "hidden x");
        assert_eq!(clean_file_name(" . . .. .env "), "env");
        assert_eq!(clean_file_name(&"x".repeat(300)).chars().count(), 200);
    }

    #[test]
    fn file_names_lose_bidi_overrides_and_other_format_characters() {
        assert_eq!(clean_file_name("invoice\u{202E}gpj.exe"), "invoicegpj.exe");
        for c in [
            '\u{200B}', '\u{200E}', '\u{2066}', '\u{2069}', '\u{FEFF}', '\u{061C}',
        ] {
            assert_eq!(clean_file_name(&format!("a{c}b.txt")), "ab.txt", "{c:?}");
        }
        assert_eq!(clean_file_name("\u{202E}\u{202D}"), "file");
        assert_eq!(clean_file_name("résumé 2026.pdf"), "résumé 2026.pdf");
        assert_eq!(clean_file_name("👩\u{200D}💻.png"), "👩\u{200D}💻.png");
    }
}
