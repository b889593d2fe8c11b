//! Page layout: places the receipt's text, rules and boxes on US Letter
//! pages and returns one content stream per page.
//!
//! Coordinates are PDF points (1/72 inch) from the bottom-left corner of
//! the page. Long values wrap at spaces, or between characters when a word
//! is wider than its column, and a new page starts when the text reaches
//! the footer.

use pdf_writer::types::TextRenderingMode;
use pdf_writer::{Content, Str};

use super::amount::{format_amount, format_figures};
use super::fonts::{FontKind, FontSet, Weight};
use super::words::amount_in_words;
use super::{ReceiptDocument, ReceiptError};

/// US Letter. The content area (x from 54 to 558 pt, y from 54 to 738 pt)
/// also lies inside an A4 page, so printing on A4 without scaling cuts only
/// margin.
pub(crate) const PAGE_WIDTH: f32 = 612.0;
pub(crate) const PAGE_HEIGHT: f32 = 792.0;

const MARGIN: f32 = 54.0;
const CONTENT_LEFT: f32 = MARGIN;
const CONTENT_RIGHT: f32 = PAGE_WIDTH - MARGIN;
const CONTENT_WIDTH: f32 = CONTENT_RIGHT - CONTENT_LEFT;
const LABEL_WIDTH: f32 = 130.0;
const VALUE_LEFT: f32 = CONTENT_LEFT + LABEL_WIDTH;
const VALUE_WIDTH: f32 = CONTENT_RIGHT - VALUE_LEFT;
/// Minimum width of the amount column in the allocation table.
const FIGURES_WIDTH: f32 = 150.0;
/// Text and boxes stay above this line, leaving room for the footer.
const BODY_BOTTOM: f32 = 72.0;
const FOOTER_RULE: f32 = 60.0;
const FOOTER_FIRST_BASELINE: f32 = 48.0;
/// Padding between a box edge and its text.
const BOX_PADDING: f32 = 8.0;
/// Line height as a multiple of the font size.
const LINE_SPACING: f32 = 1.35;
/// Outline stroke width, as a multiple of the font size, that makes a
/// regular glyph look about as heavy as DejaVu Sans Bold.
const SYNTHETIC_BOLD_STROKE: f32 = 0.035;

#[derive(Debug, Clone, Copy)]
struct Rgb(f32, f32, f32);

const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);
const GREY: Rgb = Rgb(0.38, 0.38, 0.38);
const RULE_GREY: Rgb = Rgb(0.75, 0.75, 0.75);
const LIGHT_FILL: Rgb = Rgb(0.95, 0.95, 0.95);
const RED: Rgb = Rgb(0.72, 0.07, 0.07);
const LIGHT_RED: Rgb = Rgb(1.0, 0.92, 0.92);

#[derive(Debug, Clone, Copy)]
struct TextStyle {
    weight: Weight,
    size: f32,
    color: Rgb,
}

impl TextStyle {
    const fn new(weight: Weight, size: f32, color: Rgb) -> Self {
        Self {
            weight,
            size,
            color,
        }
    }

    fn line_height(self) -> f32 {
        self.size * LINE_SPACING
    }
}

const ORGANISATION: TextStyle = TextStyle::new(Weight::Bold, 18.0, BLACK);
const TITLE: TextStyle = TextStyle::new(Weight::Regular, 12.0, GREY);
const BANNER: TextStyle = TextStyle::new(Weight::Bold, 13.0, RED);
const LABEL: TextStyle = TextStyle::new(Weight::Regular, 10.0, GREY);
const VALUE: TextStyle = TextStyle::new(Weight::Regular, 10.0, BLACK);
const VALUE_BOLD: TextStyle = TextStyle::new(Weight::Bold, 10.0, BLACK);
const AMOUNT: TextStyle = TextStyle::new(Weight::Bold, 16.0, BLACK);
const HEADING: TextStyle = TextStyle::new(Weight::Bold, 11.0, BLACK);
const TABLE_HEADER: TextStyle = TextStyle::new(Weight::Bold, 9.0, GREY);
const SMALL: TextStyle = TextStyle::new(Weight::Regular, 8.0, GREY);
const SMALL_RED: TextStyle = TextStyle::new(Weight::Bold, 8.0, RED);

/// Lays out the receipt and returns the content stream of each page.
/// The document must have passed validation.
pub(super) fn lay_out_receipt(
    doc: &ReceiptDocument,
    fonts: &mut FontSet,
) -> Result<Vec<Vec<u8>>, ReceiptError> {
    let mut writer = PageWriter::new(fonts, format!("Receipt {} (continued)", doc.receipt_number));
    writer.new_page()?;

    if doc.duplicate {
        writer.duplicate_banner(&duplicate_notice(doc))?;
    }
    writer.header(doc)?;
    writer.details(doc)?;
    writer.amount_box(doc)?;
    writer.allocation_table(doc)?;
    writer.balance(doc)?;
    writer.notes(&doc.annotations)?;
    writer.finish(doc)
}

/// Returns the text that marks a reprint, such as
/// "DUPLICATE — reprint of receipt MAIN-000123".
pub(super) fn duplicate_notice(doc: &ReceiptDocument) -> String {
    format!("DUPLICATE — reprint of receipt {}", doc.receipt_number)
}

/// Draws on a growing list of pages, keeping the vertical position of the
/// next free line.
struct PageWriter<'f> {
    fonts: &'f mut FontSet,
    pages: Vec<Content>,
    /// Top of the free space on the current page.
    top: f32,
    continuation_header: String,
}

impl<'f> PageWriter<'f> {
    fn new(fonts: &'f mut FontSet, continuation_header: String) -> Self {
        Self {
            fonts,
            pages: Vec::new(),
            top: PAGE_HEIGHT - MARGIN,
            continuation_header,
        }
    }

    /// Starts a page. Pages after the first begin with a small header that
    /// names the receipt.
    fn new_page(&mut self) -> Result<(), ReceiptError> {
        self.pages.push(Content::new());
        self.top = PAGE_HEIGHT - MARGIN;

        if self.pages.len() > 1 {
            let header = self.continuation_header.clone();
            self.text_lines(CONTENT_LEFT, CONTENT_WIDTH, &header, SMALL)?;
            self.rule(4.0, 12.0);
        }
        Ok(())
    }

    /// Starts a new page unless `height` points fit above the footer.
    fn reserve(&mut self, height: f32) -> Result<(), ReceiptError> {
        if self.top - height < BODY_BOTTOM {
            self.new_page()?;
        }
        Ok(())
    }

    fn current_page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("new_page runs before drawing")
    }

    fn duplicate_banner(&mut self, notice: &str) -> Result<(), ReceiptError> {
        let lines = self.wrap(notice, BANNER, CONTENT_WIDTH - 2.0 * BOX_PADDING);
        let height = lines.len() as f32 * BANNER.line_height() + 2.0 * BOX_PADDING;
        self.reserve(height)?;

        let bottom = self.top - height;
        let page = self.current_page();
        page.set_fill_rgb(LIGHT_RED.0, LIGHT_RED.1, LIGHT_RED.2);
        page.set_stroke_rgb(RED.0, RED.1, RED.2);
        page.set_line_width(1.5);
        page.rect(CONTENT_LEFT, bottom, CONTENT_WIDTH, height);
        page.fill_nonzero_and_stroke();

        let mut top = self.top - BOX_PADDING;
        for line in &lines {
            let left = CONTENT_LEFT + (CONTENT_WIDTH - self.width(line, BANNER)) / 2.0;
            self.draw_text(left, baseline(top, BANNER), line, BANNER)?;
            top -= BANNER.line_height();
        }

        self.top = bottom - 16.0;
        Ok(())
    }

    fn header(&mut self, doc: &ReceiptDocument) -> Result<(), ReceiptError> {
        self.text_lines(CONTENT_LEFT, CONTENT_WIDTH, &doc.organisation, ORGANISATION)?;
        self.top -= 2.0;
        self.text_lines(CONTENT_LEFT, CONTENT_WIDTH, "Payment receipt", TITLE)?;
        self.rule(8.0, 12.0);
        Ok(())
    }

    fn details(&mut self, doc: &ReceiptDocument) -> Result<(), ReceiptError> {
        self.field("Receipt no.", &doc.receipt_number, VALUE_BOLD)?;
        self.field("Date issued", &doc.issued_at_local, VALUE)?;
        self.field("Received from", &doc.payer_name, VALUE_BOLD)?;
        self.field("Account", or_dash(&doc.account_ref), VALUE)?;
        self.field("Payment method", or_dash(&doc.method), VALUE)?;
        self.field("Received by", or_dash(&doc.received_by), VALUE)?;
        self.top -= 8.0;
        Ok(())
    }

    /// Draws the amount in figures and in words on a shaded box.
    fn amount_box(&mut self, doc: &ReceiptDocument) -> Result<(), ReceiptError> {
        let figures = format_amount(doc.amount_minor, doc.minor_digits, &doc.currency);
        let words = amount_in_words(doc.amount_minor, doc.minor_digits, &doc.currency);
        let figure_lines = self.wrap(&figures, AMOUNT, VALUE_WIDTH - BOX_PADDING);
        let word_lines = self.wrap(&words, VALUE, VALUE_WIDTH - BOX_PADDING);
        let height = figure_lines.len() as f32 * AMOUNT.line_height()
            + word_lines.len() as f32 * VALUE.line_height()
            + 2.0 * BOX_PADDING
            + 4.0;
        self.reserve(height)?;

        let bottom = self.top - height;
        let page = self.current_page();
        page.set_fill_rgb(LIGHT_FILL.0, LIGHT_FILL.1, LIGHT_FILL.2);
        page.rect(CONTENT_LEFT, bottom, CONTENT_WIDTH, height);
        page.fill_nonzero();

        self.top -= BOX_PADDING;
        // Align the label with the baseline of the large figures.
        self.draw_text(
            CONTENT_LEFT + BOX_PADDING,
            baseline(self.top, AMOUNT),
            "Amount received",
            LABEL,
        )?;
        for line in &figure_lines {
            self.draw_text(VALUE_LEFT, baseline(self.top, AMOUNT), line, AMOUNT)?;
            self.top -= AMOUNT.line_height();
        }
        self.top -= 4.0;
        self.draw_text(
            CONTENT_LEFT + BOX_PADDING,
            baseline(self.top, VALUE),
            "In words",
            LABEL,
        )?;
        for line in &word_lines {
            self.draw_text(VALUE_LEFT, baseline(self.top, VALUE), line, VALUE)?;
            self.top -= VALUE.line_height();
        }

        self.top = bottom - 18.0;
        Ok(())
    }

    /// Draws the allocation lines with their total, or a sentence saying
    /// that there are none.
    fn allocation_table(&mut self, doc: &ReceiptDocument) -> Result<(), ReceiptError> {
        let header_height = TABLE_HEADER.line_height() + 6.0;
        self.reserve(HEADING.line_height() + header_height + VALUE.line_height())?;
        self.text_lines(CONTENT_LEFT, CONTENT_WIDTH, "Allocation", HEADING)?;
        self.top -= 4.0;

        if doc.allocation.is_empty() {
            self.text_lines(
                CONTENT_LEFT,
                CONTENT_WIDTH,
                "No allocation recorded.",
                VALUE,
            )?;
            self.top -= 12.0;
            return Ok(());
        }

        let header_bottom = self.top - header_height;
        let page = self.current_page();
        page.set_fill_rgb(LIGHT_FILL.0, LIGHT_FILL.1, LIGHT_FILL.2);
        page.rect(CONTENT_LEFT, header_bottom, CONTENT_WIDTH, header_height);
        page.fill_nonzero();
        let header_baseline = baseline(self.top - 3.0, TABLE_HEADER);
        self.draw_text(
            CONTENT_LEFT + 6.0,
            header_baseline,
            "Applied to",
            TABLE_HEADER,
        )?;
        let amount_header = format!("Amount ({})", doc.currency);
        self.draw_right(
            CONTENT_RIGHT - 6.0,
            header_baseline,
            &amount_header,
            TABLE_HEADER,
        )?;
        self.top -= header_height + 3.0;

        let line_figures: Vec<String> = doc
            .allocation
            .iter()
            .map(|(_, amount_minor)| format_figures(*amount_minor, doc.minor_digits))
            .collect();
        // Validation checked that the lines add up to the amount received.
        let total_figures = format_figures(doc.amount_minor, doc.minor_digits);

        // Labels wrap so that they never reach the widest figure.
        let widest_figures = line_figures
            .iter()
            .map(|figures| self.width(figures, VALUE))
            .fold(self.width(&total_figures, VALUE_BOLD), f32::max);
        let figures_width = FIGURES_WIDTH.max(widest_figures + 12.0);
        let label_width = CONTENT_WIDTH - figures_width - 12.0;

        for ((label, _), figures) in doc.allocation.iter().zip(&line_figures) {
            self.table_row(label, figures, label_width, VALUE)?;
            self.rule(1.0, 3.0);
        }
        self.table_row("Total", &total_figures, label_width, VALUE_BOLD)?;
        self.top -= 14.0;
        Ok(())
    }

    /// Draws one table row. A blank label is drawn as a dash so that the
    /// row and its figures still appear.
    fn table_row(
        &mut self,
        label: &str,
        figures: &str,
        label_width: f32,
        style: TextStyle,
    ) -> Result<(), ReceiptError> {
        let mut lines = self.wrap(label, style, label_width);
        if lines.is_empty() {
            lines.push("—".to_string());
        }
        for (index, line) in lines.iter().enumerate() {
            self.reserve(style.line_height())?;
            let line_baseline = baseline(self.top, style);
            self.draw_text(CONTENT_LEFT + 6.0, line_baseline, line, style)?;
            if index == 0 {
                self.draw_right(CONTENT_RIGHT - 6.0, line_baseline, figures, style)?;
            }
            self.top -= style.line_height();
        }
        Ok(())
    }

    fn balance(&mut self, doc: &ReceiptDocument) -> Result<(), ReceiptError> {
        let figures = format_amount(doc.balance_after_minor, doc.minor_digits, &doc.currency);
        let height = HEADING.line_height() + 2.0 * BOX_PADDING;
        self.reserve(height)?;

        let bottom = self.top - height;
        let page = self.current_page();
        page.set_stroke_rgb(RULE_GREY.0, RULE_GREY.1, RULE_GREY.2);
        page.set_line_width(0.75);
        page.rect(CONTENT_LEFT, bottom, CONTENT_WIDTH, height);
        page.stroke();

        let line_baseline = baseline(self.top - BOX_PADDING, HEADING);
        self.draw_text(
            CONTENT_LEFT + 6.0,
            line_baseline,
            "Balance after this payment",
            HEADING,
        )?;
        self.draw_right(CONTENT_RIGHT - 6.0, line_baseline, &figures, HEADING)?;

        self.top = bottom - 18.0;
        Ok(())
    }

    fn notes(&mut self, annotations: &[String]) -> Result<(), ReceiptError> {
        if annotations.iter().all(|text| text.trim().is_empty()) {
            return Ok(());
        }

        self.reserve(HEADING.line_height() + VALUE.line_height())?;
        self.text_lines(CONTENT_LEFT, CONTENT_WIDTH, "Notes", HEADING)?;
        self.top -= 2.0;

        // A blank annotation has nothing to print, and drawing its bullet
        // alone would overlap the next note.
        for annotation in annotations.iter().filter(|text| !text.trim().is_empty()) {
            self.reserve(VALUE.line_height())?;
            self.draw_text(CONTENT_LEFT + 4.0, baseline(self.top, VALUE), "•", VALUE)?;
            self.text_lines(CONTENT_LEFT + 16.0, CONTENT_WIDTH - 16.0, annotation, VALUE)?;
            self.top -= 3.0;
        }
        Ok(())
    }

    /// Draws a label and a wrapped value in two columns.
    fn field(&mut self, label: &str, value: &str, style: TextStyle) -> Result<(), ReceiptError> {
        self.reserve(style.line_height())?;
        self.draw_text(CONTENT_LEFT, baseline(self.top, style), label, LABEL)?;
        self.text_lines(VALUE_LEFT, VALUE_WIDTH, value, style)?;
        self.top -= 3.0;
        Ok(())
    }

    /// Draws wrapped text from the current position downwards, starting a
    /// new page whenever a line does not fit.
    fn text_lines(
        &mut self,
        left: f32,
        width: f32,
        text: &str,
        style: TextStyle,
    ) -> Result<(), ReceiptError> {
        for line in self.wrap(text, style, width) {
            self.reserve(style.line_height())?;
            self.draw_text(left, baseline(self.top, style), &line, style)?;
            self.top -= style.line_height();
        }
        Ok(())
    }

    /// Draws a horizontal rule across the content width.
    fn rule(&mut self, space_above: f32, space_below: f32) {
        self.top -= space_above;
        let y = self.top;
        let page = self.current_page();
        page.set_stroke_rgb(RULE_GREY.0, RULE_GREY.1, RULE_GREY.2);
        page.set_line_width(0.5);
        page.move_to(CONTENT_LEFT, y);
        page.line_to(CONTENT_RIGHT, y);
        page.stroke();
        self.top -= space_below;
    }

    fn draw_right(
        &mut self,
        right: f32,
        baseline: f32,
        text: &str,
        style: TextStyle,
    ) -> Result<(), ReceiptError> {
        let left = right - self.width(text, style);
        self.draw_text(left, baseline, text, style)
    }

    /// Draws one line of text with its left end at `left`.
    fn draw_text(
        &mut self,
        left: f32,
        baseline: f32,
        text: &str,
        style: TextStyle,
    ) -> Result<(), ReceiptError> {
        let runs = self.fonts.encode(text, style.weight)?;
        let page = self.current_page();

        page.set_fill_rgb(style.color.0, style.color.1, style.color.2);
        page.begin_text();
        page.next_line(left, baseline);
        for run in &runs {
            // Bold text that falls back to a regular font (CJK, for
            // example) is thickened by stroking the glyph outlines as well.
            let synthetic_bold = style.weight == Weight::Bold && run.font != FontKind::Bold;
            if synthetic_bold {
                page.set_stroke_rgb(style.color.0, style.color.1, style.color.2);
                page.set_line_width(style.size * SYNTHETIC_BOLD_STROKE);
                page.set_text_rendering_mode(TextRenderingMode::FillStroke);
            }
            page.set_font(FontSet::resource_name(run.font), style.size);
            page.show(Str(&run.to_pdf_string()));
            if synthetic_bold {
                page.set_text_rendering_mode(TextRenderingMode::Fill);
            }
        }
        page.end_text();
        Ok(())
    }

    fn width(&self, text: &str, style: TextStyle) -> f32 {
        self.fonts.text_width(text, style.weight, style.size)
    }

    fn wrap(&self, text: &str, style: TextStyle, width: f32) -> Vec<String> {
        wrap_text(text, width, |piece| self.width(piece, style))
    }

    /// Draws the footer on every page and finishes the content streams.
    fn finish(mut self, doc: &ReceiptDocument) -> Result<Vec<Vec<u8>>, ReceiptError> {
        let page_count = self.pages.len();
        let (footer, style) = if doc.duplicate {
            (duplicate_notice(doc), SMALL_RED)
        } else {
            (format!("Receipt {}", doc.receipt_number), SMALL)
        };
        let footer_lines = self.wrap(&footer, style, CONTENT_WIDTH - 80.0);
        let mut contents = Vec::with_capacity(page_count);

        // The drawing helpers draw on the last page in `pages`, so each page
        // goes back there while its footer is drawn.
        for (index, page) in std::mem::take(&mut self.pages).into_iter().enumerate() {
            self.pages.push(page);
            self.top = FOOTER_RULE;
            self.rule(0.0, 0.0);

            let mut line_baseline = FOOTER_FIRST_BASELINE;
            for line in &footer_lines {
                self.draw_text(CONTENT_LEFT, line_baseline, line, style)?;
                line_baseline -= style.line_height();
            }
            let page_number = format!("Page {} of {}", index + 1, page_count);
            self.draw_right(CONTENT_RIGHT, FOOTER_FIRST_BASELINE, &page_number, SMALL)?;

            let page = self.pages.pop().expect("the page was pushed above");
            contents.push(page.finish().into_vec());
        }

        Ok(contents)
    }
}

/// Returns the baseline of a line whose box starts at `top`.
fn baseline(top: f32, style: TextStyle) -> f32 {
    top - style.size
}

fn or_dash(value: &str) -> &str {
    if value.trim().is_empty() {
        "—"
    } else {
        value
    }
}

/// Splits `text` into lines no wider than `max_width`, as measured by
/// `measure`. Breaks at spaces, and inside a word only when the word alone
/// is too wide (long references, or CJK names without spaces). Runs of
/// whitespace collapse to one space. Empty text gives no lines.
pub(crate) fn wrap_text(text: &str, max_width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();

    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if measure(&candidate) <= max_width {
            line = candidate;
            continue;
        }

        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if measure(word) <= max_width {
            line = word.to_string();
            continue;
        }

        for character in word.chars() {
            let mut candidate = line.clone();
            candidate.push(character);
            // A character that is too wide on its own still gets a line.
            if measure(&candidate) > max_width && !line.is_empty() && !is_combining_mark(character)
            {
                lines.push(std::mem::take(&mut line));
                line.push(character);
            } else {
                line = candidate;
            }
        }
    }

    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Reports whether `character` is in a combining diacritical marks block, so
/// that wrapping never separates it from the letter before it.
fn is_combining_mark(character: char) -> bool {
    matches!(
        u32::from(character),
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Measures every character as 1 point wide.
    fn count_chars(text: &str) -> f32 {
        text.chars().count() as f32
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        let lines = wrap_text("one two three four", 9.0, count_chars);
        assert_eq!(lines, vec!["one two", "three", "four"]);
    }

    #[test]
    fn wrap_keeps_short_text_whole() {
        assert_eq!(wrap_text("Cash", 10.0, count_chars), vec!["Cash"]);
    }

    #[test]
    fn wrap_collapses_whitespace() {
        assert_eq!(wrap_text("  a   b  ", 10.0, count_chars), vec!["a b"]);
    }

    #[test]
    fn wrap_empty_text_has_no_lines() {
        assert!(wrap_text("   ", 10.0, count_chars).is_empty());
    }

    #[test]
    fn wrap_splits_long_words() {
        let lines = wrap_text("ab 王小明王小明", 3.0, count_chars);
        assert_eq!(lines, vec!["ab", "王小明", "王小明"]);
    }

    #[test]
    fn wrap_keeps_combining_marks_with_letter() {
        let lines = wrap_text("abe\u{301}f", 3.0, count_chars);
        assert_eq!(lines, vec!["abe\u{301}", "f"]);
    }
}
