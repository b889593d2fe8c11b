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
    /// spreadsheet programs write under the name "Latin-1".
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

/// One piece of a placement file, with the line numbers it covers.
#[derive(Debug)]
pub enum Piece {
    /// A line with nothing on it (or only spaces and a carriage return).
    Blank { line: u64 },
    /// A CSV record, which spans several lines when a quoted field contains line breaks.
    Record { first_line: u64, record: csv::StringRecord },
}

/// Turns every line ending into `\n`: `\r\n` (Windows) and a lone `\r`
/// (classic Mac OS) alike, so no line is lost to a terminator the line splitter
/// does not know.
pub struct LineEndings<R> {
    inner: R,
    after_cr: bool,
}

impl<R: Read> Read for LineEndings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut written = 0;
            for i in 0..n {
                let byte = buf[i];
                if byte == b'\n' && self.after_cr {
                    self.after_cr = false;
                    continue;
                }
                self.after_cr = byte == b'\r';
                buf[written] = if byte == b'\r' { b'\n' } else { byte };
                written += 1;
            }
            // A chunk that was only the `\n` of a `\r\n` pair yields nothing; read on.
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

/// An opened placement file: yields records and blank lines with exact line numbers.
///
/// The CSV parser passes over blank lines and reports positions that depend on
/// the line terminator, so the file is split into lines here: a record ends at
/// the first line break where its double quotes are balanced. Each record is
/// then parsed on its own.
pub struct OpenedFile {
    lines: BufReader<Box<dyn Read + Send>>,
    /// One parser for every record: building one per record cost a third of the import's own CPU time.
    parser: csv_core::Reader,
    field: Vec<u8>,
    next_line: u64,
    buffer: String,
    record_text: String,
    /// The first line, read early to detect the delimiter and handed out first.
    first_line: Option<String>,
    pub encoding: Encoding,
    pub delimiter: u8,
    pub bytes_total: u64,
    pub bytes_read: Arc<AtomicU64>,
}

/// A record longer than this without a closing quote is treated as broken, so
/// one stray quote cannot swallow the rest of a large file.
const MAX_RECORD_LINES: u64 = 1000;

impl OpenedFile {
    /// Reads the next record or blank line, returning `None` at the end of the file.
    pub fn next_piece(&mut self) -> anyhow::Result<Option<Result<Piece, (u64, String)>>> {
        self.record_text.clear();
        let first_line = self.next_line;
        let mut quotes = 0usize;
        loop {
            self.buffer.clear();
            let n = match self.first_line.take() {
                Some(line) => {
                    self.buffer = line;
                    self.buffer.len()
                }
                None => self
                    .lines
                    .read_line(&mut self.buffer)
                    .with_context(|| format!("failed to read line {}", self.next_line))?,
            };
            if n == 0 {
                if self.record_text.is_empty() {
                    return Ok(None);
                }
                // End of file inside a quoted field.
                return Ok(Some(Err((first_line, "the line opens a quoted field that never closes; add the closing double quote".to_string()))));
            }
            self.next_line += 1;
            quotes += self.buffer.bytes().filter(|b| *b == b'"').count();
            if self.record_text.is_empty() && quotes == 0 && self.buffer.trim().is_empty() {
                return Ok(Some(Ok(Piece::Blank { line: first_line })));
            }
            self.record_text.push_str(&self.buffer);
            if quotes % 2 == 0 {
                break;
            }
            if self.next_line - first_line >= MAX_RECORD_LINES {
                return Ok(Some(Err((
                    first_line,
                    format!("a quoted field opened on this line is still open {MAX_RECORD_LINES} lines later; add the closing double quote"),
                ))));
            }
        }
        let trimmed = self.record_text.trim_end_matches(['\n', '\r']);
        let mut record = csv::StringRecord::new();
        match parse_record(&mut self.parser, trimmed.as_bytes(), &mut self.field, &mut record) {
            Ok(()) => Ok(Some(Ok(Piece::Record { first_line, record }))),
            Err(message) => Ok(Some(Err((first_line, message)))),
        }
    }
}

/// Parses the text of one whole record (its line breaks trimmed) into fields.
fn parse_record(
    parser: &mut csv_core::Reader,
    mut input: &[u8],
    field: &mut Vec<u8>,
    record: &mut csv::StringRecord,
) -> Result<(), String> {
    use csv_core::ReadFieldResult;
    parser.reset();
    let mut used = 0;
    if field.len() < input.len() + 1 {
        field.resize(input.len() + 1, 0);
    }
    loop {
        // After the input runs out, the next call gets an empty slice, which the parser reads as the end.
        let (result, read, written) = parser.read_field(input, &mut field[used..]);
        input = &input[read..];
        used += written;
        match result {
            ReadFieldResult::InputEmpty => {}
            ReadFieldResult::OutputFull => {
                let grown = field.len() * 2;
                field.resize(grown, 0);
            }
            ReadFieldResult::Field { record_end } => {
                let text = std::str::from_utf8(&field[..used]).map_err(|_| "the line is not valid text".to_string())?;
                record.push_field(text);
                used = 0;
                if record_end {
                    return Ok(());
                }
            }
            ReadFieldResult::End => return Ok(()),
        }
    }
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
    let decoder = match encoding {
        Encoding::Utf8 => encoding_rs::UTF_8,
        Encoding::Latin1 => encoding_rs::WINDOWS_1252,
    };
    // The decoder strips a UTF-8 byte-order mark and passes valid UTF-8 through unchanged.
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(decoder)).bom_override(true).build(counted);
    let text: Box<dyn Read + Send> = Box::new(LineEndings { inner: decoded, after_cr: false });
    let mut lines = BufReader::with_capacity(256 * 1024, text);

    // The decoder may hand out only a few bytes at first, so the delimiter is detected on a whole line.
    let mut first_line = String::new();
    lines.read_line(&mut first_line).context("failed to read the first line")?;
    let delimiter = match delimiter {
        Some(c) if c == ',' || c == ';' || c == '\t' || c == '|' => c as u8,
        Some(c) => bail!("delimiter '{c}' is not supported; use ',', ';', '|' or a tab"),
        None => detect_delimiter(first_line.as_bytes()),
    };

    let parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    Ok(OpenedFile {
        lines,
        parser,
        field: Vec::new(),
        next_line: 1,
        buffer: String::new(),
        record_text: String::new(),
        first_line: (!first_line.is_empty()).then_some(first_line),
        encoding,
        delimiter,
        bytes_total,
        bytes_read,
    })
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

    fn pieces(text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, text).unwrap();
        let mut file = open(&path, None, None).unwrap();
        let mut out = Vec::new();
        while let Some(piece) = file.next_piece().unwrap() {
            out.push(match piece {
                Ok(Piece::Blank { line }) => format!("{line}:blank"),
                Ok(Piece::Record { first_line, record }) => format!("{first_line}:{}", record.iter().collect::<Vec<_>>().join("|")),
                Err((line, _)) => format!("{line}:error"),
            });
        }
        out
    }

    #[test]
    fn lines_are_numbered_with_lf_and_crlf() {
        let expected = ["1:h1|h2", "2:a|b", "3:blank", "4:c|d", "5:x\ny|z", "7:|", "8:e|f", "9:blank"];
        assert_eq!(pieces("h1,h2\na,b\n\nc,d\n\"x\ny\",z\n,\ne,f\n\n"), expected);
        assert_eq!(pieces("h1,h2\r\na,b\r\n\r\nc,d\r\n\"x\ny\",z\r\n,\r\ne,f\r\n\r\n"), expected);
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        assert_eq!(pieces("h,i\ra,b\rc,d\r"), ["1:h|i", "2:a|b", "3:c|d"]);
        assert_eq!(pieces("h,i\na,b\rc,d\n"), ["1:h|i", "2:a|b", "3:c|d"]);
    }

    #[test]
    fn last_line_without_terminator_is_read() {
        assert_eq!(pieces("h\na\nb"), ["1:h", "2:a", "3:b"]);
    }

    #[test]
    fn unclosed_quote_is_reported_on_its_line() {
        assert_eq!(pieces("h,i\na,\"b\nc,d"), ["1:h|i", "2:error"]);
    }

    #[test]
    fn header_names_are_trimmed_and_lowercased() {
        assert_eq!(normalise_header("  Account Ref "), "account ref");
        assert_eq!(normalise_header("\u{feff}id"), "id");
    }
}
