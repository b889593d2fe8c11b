//! Letters as PDF files, drawn with the receipts' embedded fonts.
//!
//! [`render_letters`] draws any number of letters into one US Letter PDF,
//! each starting on a new page: one letter for its own download, or a whole
//! batch as the post room's print file. Lines wrap at spaces, and a letter
//! continues on further pages when its body is long. Text the fonts cannot
//! draw is rejected by [`check_drawable`] before a letter is stored, never
//! dropped from the page.

use pdf_writer::{Content, Str};

use crate::receipts::fonts::{describe_characters, is_right_to_left, FontSet, Weight};
use crate::receipts::layout::{wrap_text, PAGE_HEIGHT, PAGE_WIDTH};
use crate::receipts::pdf::{write_pdf, DocumentInfo};
use crate::receipts::ReceiptError;

const MARGIN: f32 = 72.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// The address block sits where a US #10 window envelope shows it.
const ADDRESS_TOP: f32 = PAGE_HEIGHT - 144.0;
const BODY_BOTTOM: f32 = 72.0;
const FOOTER_BASELINE: f32 = 40.0;
const LINE_SPACING: f32 = 1.4;

#[derive(Clone, Copy)]
struct Style {
    weight: Weight,
    size: f32,
}

const ORGANISATION: Style = Style { weight: Weight::Bold, size: 16.0 };
const BODY: Style = Style { weight: Weight::Regular, size: 10.5 };
const SUBJECT: Style = Style { weight: Weight::Bold, size: 11.5 };
const FOOTER: Style = Style { weight: Weight::Regular, size: 8.0 };

/// Everything printed on one letter, already merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterDocument {
    /// The sender: the creditor's name.
    pub organisation: String,
    /// The date as printed, such as "5 December 2026".
    pub date: String,
    /// The recipient's name and postal address, one line each.
    pub address_lines: Vec<String>,
    pub subject: String,
    /// Paragraphs separated by line breaks; an empty line adds space.
    pub body: String,
    /// Printed in every page footer so loose pages can be matched.
    pub account_ref: String,
}

/// Checks that the fonts can draw `text`; the error names `field` and the
/// characters by code point only, because the text may be personal data.
pub fn check_drawable(field: &str, text: &str) -> Result<(), String> {
    let fonts = fonts()?;
    let right_to_left: Vec<char> = text.chars().filter(|c| is_right_to_left(*c)).collect();
    if !right_to_left.is_empty() {
        return Err(format!(
            "{field} contains right-to-left text ({}), which letters cannot lay out yet; use a template or data in a left-to-right script",
            describe_characters(&right_to_left)
        ));
    }
    let control: Vec<char> = text.chars().filter(|c| c.is_control() && *c != '\n' && *c != '\t' && *c != '\r').collect();
    if !control.is_empty() {
        return Err(format!("{field} contains control characters ({}); remove them", describe_characters(&control)));
    }
    let uncovered: Vec<char> = fonts.uncovered_characters(text).into_iter().filter(|c| !c.is_whitespace()).collect();
    if !uncovered.is_empty() {
        return Err(format!(
            "{field} contains characters that the letter fonts do not cover ({}); remove or replace them",
            describe_characters(&uncovered)
        ));
    }
    Ok(())
}

fn fonts() -> Result<FontSet, String> {
    FontSet::load().map_err(|error| format!("the embedded fonts could not be loaded: {error}"))
}

/// Draws `letters` into one PDF, each from a new page, and returns its bytes.
/// The output is deterministic: the same letters give the same bytes.
pub fn render_letters(letters: &[LetterDocument], title: &str) -> Result<Vec<u8>, ReceiptError> {
    let mut fonts = FontSet::load()?;
    let mut pages = Vec::new();
    for letter in letters {
        let mut writer = LetterWriter { fonts: &mut fonts, pages: Vec::new(), top: 0.0 };
        writer.draw(letter)?;
        let count = writer.pages.len();
        for (index, mut page) in writer.pages.into_iter().enumerate() {
            let footer = format!("Account {} · page {} of {count}", letter.account_ref, index + 1);
            draw_line(&mut fonts, &mut page, MARGIN, FOOTER_BASELINE, &footer, FOOTER)?;
            pages.push(page.finish().to_vec());
        }
    }
    let author = letters.first().map(|letter| letter.organisation.as_str()).unwrap_or("Recovery Desk");
    let info = DocumentInfo { title, author, subject: "Letter" };
    write_pdf(&info, &fonts, &pages)
}

struct LetterWriter<'f> {
    fonts: &'f mut FontSet,
    pages: Vec<Content>,
    /// Top of the free space on the current page.
    top: f32,
}

impl LetterWriter<'_> {
    fn draw(&mut self, letter: &LetterDocument) -> Result<(), ReceiptError> {
        self.new_page();
        self.paragraph(&letter.organisation, ORGANISATION)?;
        self.paragraph(&letter.date, BODY)?;

        self.top = self.top.min(ADDRESS_TOP);
        for line in &letter.address_lines {
            self.paragraph(line, BODY)?;
        }
        self.top -= BODY.size * 3.0;

        self.paragraph(&letter.subject, SUBJECT)?;
        self.top -= BODY.size;
        for paragraph in letter.body.lines() {
            if paragraph.trim().is_empty() {
                self.top -= BODY.size * LINE_SPACING * 0.6;
            } else {
                self.paragraph(paragraph, BODY)?;
            }
        }
        Ok(())
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.top = PAGE_HEIGHT - MARGIN;
    }

    /// Draws `text` wrapped to the content width, starting pages as needed.
    fn paragraph(&mut self, text: &str, style: Style) -> Result<(), ReceiptError> {
        let fonts = &*self.fonts;
        let lines = wrap_text(text, CONTENT_WIDTH, |piece| fonts.text_width(piece, style.weight, style.size));
        for line in lines {
            let height = style.size * LINE_SPACING;
            if self.top - height < BODY_BOTTOM {
                self.new_page();
            }
            let baseline = self.top - style.size;
            let page = self.pages.last_mut().expect("new_page runs before drawing");
            draw_line(self.fonts, page, MARGIN, baseline, &line, style)?;
            self.top -= height;
        }
        Ok(())
    }
}

fn draw_line(fonts: &mut FontSet, page: &mut Content, left: f32, baseline: f32, text: &str, style: Style) -> Result<(), ReceiptError> {
    let runs = fonts.encode(text, style.weight)?;
    page.begin_text();
    page.next_line(left, baseline);
    for run in &runs {
        page.set_font(FontSet::resource_name(run.font), style.size);
        page.show(Str(&run.to_pdf_string()));
    }
    page.end_text();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(body: &str) -> LetterDocument {
        LetterDocument {
            organisation: "Acme Lending".to_string(),
            date: "5 December 2026".to_string(),
            address_lines: vec!["Ana Smith".to_string(), "1 Main St".to_string(), "Springfield IL 62701".to_string()],
            subject: "Reminder: account A-1".to_string(),
            body: body.to_string(),
            account_ref: "A-1".to_string(),
        }
    }

    #[test]
    fn letter_text_is_extractable() {
        let pdf = render_letters(&[letter("Dear Ana Smith,\n\nYou owe USD 1,555.50.")], "Letter").unwrap();
        let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
        assert!(text.contains("You owe USD 1,555.50."), "{text}");
        assert!(text.contains("Springfield IL 62701"), "{text}");
        assert!(text.contains("page 1 of 1"), "{text}");
    }

    #[test]
    fn long_body_continues_on_more_pages() {
        let body = "A sentence that fills part of a line. ".repeat(60).repeat(10);
        let pdf = render_letters(&[letter(&body), letter("Short")], "Letters").unwrap();
        let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
        assert!(text.contains("page 2 of"), "{text}");
        assert!(text.contains("Short"), "{text}");
    }

    #[test]
    fn undrawable_text_named_by_code_point() {
        let error = check_drawable("debtor.name", "Ana 🙂").unwrap_err();
        assert!(error.contains("U+1F642"), "{error}");
        assert!(!error.contains("Ana"), "{error}");
        assert!(check_drawable("body", "Grüße, 王").is_ok());
    }
}
