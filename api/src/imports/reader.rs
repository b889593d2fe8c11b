//! Reading placement files as real files come: any of UTF-8 (with or without
//! a byte-order mark) or Latin-1, `,` `;` or tab delimited, quoted fields
//! with newlines, header names with stray spaces, and empty lines.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context};

/// The text encoding of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// ISO 8859-1, decoded as its superset Windows-1252, which is what
    /// spreadsheet programs write when they say "Latin-1".
    Latin1,
}

impl Encoding {
    /// Parses a profile's `encoding` value; `None` means detect.
    pub fn from_profile(value: Option<&str>) -> anyhow::Result<Option<Encoding>> {
        match value.map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) if v == "utf-8" || v == "utf8" => Ok(Some(Encoding::Utf8)),
            Some(v) if ["latin-1", "latin1", "iso-8859-1", "windows-1252", "cp1252"].contains(&v.as_str()) => {
                Ok(Some(Encoding::Latin1))
            }
            Some(v) => bail!("encoding '{v}' is not supported; use utf-8 or latin-1, or leave it empty to detect"),
        }
    }
}

/// Counts the bytes a reader has passed on, for progress reports.
pub struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An opened placement file: a CSV reader over UTF-8 text plus what was detected.
pub struct OpenedFile {
    pub reader: csv::Reader<Box<dyn Read + Send>>,
    pub encoding: Encoding,
    pub delimiter: u8,
    pub bytes_total: u64,
    pub bytes_read: Arc<AtomicU64>,
}

/// Opens `path`, detecting what the profile leaves open.
pub fn open(path: &Path, encoding: Option<Encoding>, delimiter: Option<char>) -> anyhow::Result<OpenedFile> {
    let mut file = File::open(path).with_context(|| format!("failed to open {}", path.display()))?;
    let bytes_total = file.metadata()?.len();

    let encoding = match encoding {
        Some(e) => e,
        None => {
            let detected = if is_valid_utf8(&mut file)? { Encoding::Utf8 } else { Encoding::Latin1 };
            file.seek(SeekFrom::Start(0))?;
            detected
        }
    };

    let bytes_read = Arc::new(AtomicU64::new(0));
    let counted = CountingReader { inner: file, count: bytes_read.clone() };
    let text: Box<dyn Read + Send> = match encoding {
        // The decoder strips a UTF-8 byte-order mark and replaces nothing in valid UTF-8.
        Encoding::Utf8 => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding_rs::UTF_8))
                .bom_override(true)
                .build(counted),
        ),
        Encoding::Latin1 => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding_rs::WINDOWS_1252))
                .bom_override(true)
                .build(counted),
        ),
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, text);

    let delimiter = match delimiter {
        Some(c) if c == ',' || c == ';' || c == '\t' || c == '|' => c as u8,
        Some(c) => bail!("delimiter '{c}' is not supported; use ',', ';', '|' or a tab"),
        None => detect_delimiter(buffered.fill_buf()?),
    };

    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(Box::new(buffered) as Box<dyn Read + Send>);
    Ok(OpenedFile { reader, encoding, delimiter, bytes_total, bytes_read })
}

/// Checks the whole file for valid UTF-8 in fixed-size chunks, so memory stays flat.
fn is_valid_utf8(file: &mut File) -> anyhow::Result<bool> {
    let mut buffer = vec![0u8; 1 << 20];
    let mut carried = 0usize;
    loop {
        let n = file.read(&mut buffer[carried..])?;
        let filled = carried + n;
        if n == 0 {
            return Ok(carried == 0);
        }
        match std::str::from_utf8(&buffer[..filled]) {
            Ok(_) => carried = 0,
            Err(e) if e.error_len().is_none() => {
                // A character is split across the chunk boundary: keep its first bytes.
                let valid = e.valid_up_to();
                buffer.copy_within(valid..filled, 0);
                carried = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

/// Picks the delimiter that occurs most often outside quotes in the first line.
fn detect_delimiter(start: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut in_quotes = false;
    for &byte in start {
        match byte {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => break,
            _ if !in_quotes => {
                for (candidate, count) in counts.iter_mut() {
                    if byte == *candidate {
                        *count += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts.iter().max_by_key(|(_, count)| *count).filter(|(_, count)| *count > 0).map(|(c, _)| *c).unwrap_or(b',')
}

/// Normalises a header name: trims spaces (including a stray byte-order mark) and lowercases it.
pub fn normalise_header(name: &str) -> String {
    name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_detection_ignores_quoted_separators() {
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"x;y;z\",b,c\n"), b',');
        assert_eq!(detect_delimiter(b"single\n"), b',');
    }

    #[test]
    fn header_names_are_trimmed_and_lowercased() {
        assert_eq!(normalise_header("  Account Ref "), "account ref");
        assert_eq!(normalise_header("\u{feff}id"), "id");
    }
}
