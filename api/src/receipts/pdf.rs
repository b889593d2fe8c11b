//! Assembles the PDF file: catalog, page tree, pages, fonts and document
//! information.

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use pdf_writer::{Filter, Finish, Pdf, Rect, Ref, TextStr};

use super::fonts::{FontKind, FontSet};
use super::layout::{PAGE_HEIGHT, PAGE_WIDTH};
use super::ReceiptError;

/// The document information dictionary of a PDF.
pub(crate) struct DocumentInfo<'a> {
    pub title: &'a str,
    pub author: &'a str,
    pub subject: &'a str,
}

/// Writes the PDF for US Letter pages laid out with the glyphs recorded in `fonts`.
pub(crate) fn write_pdf(
    info: &DocumentInfo<'_>,
    fonts: &FontSet,
    page_contents: &[Vec<u8>],
) -> Result<Vec<u8>, ReceiptError> {
    let mut next_ref = Ref::new(1);
    let catalog_ref = next_ref.bump();
    let page_tree_ref = next_ref.bump();
    let info_ref = next_ref.bump();
    let page_refs: Vec<(Ref, Ref)> = page_contents
        .iter()
        .map(|_| (next_ref.bump(), next_ref.bump()))
        .collect();
    let font_refs: Vec<(FontKind, [Ref; 5])> = fonts
        .used_fonts()
        .into_iter()
        .map(|kind| (kind, [(); 5].map(|_| next_ref.bump())))
        .collect();

    let mut pdf = Pdf::new();

    let mut catalog = pdf.catalog(catalog_ref);
    catalog.pages(page_tree_ref).lang(TextStr("en"));
    catalog.viewer_preferences().display_doc_title(true);
    catalog.finish();

    pdf.pages(page_tree_ref)
        .kids(page_refs.iter().map(|(page_ref, _)| *page_ref))
        .count(page_refs.len() as i32);

    for ((page_ref, content_ref), content) in page_refs.iter().zip(page_contents) {
        let mut page = pdf.page(*page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(page_tree_ref)
            .contents(*content_ref);
        let mut resources = page.resources();
        let mut font_dict = resources.fonts();
        for (kind, refs) in &font_refs {
            font_dict.pair(FontSet::resource_name(*kind), refs[0]);
        }
        font_dict.finish();
        resources.finish();
        page.finish();

        pdf.stream(*content_ref, &deflate(content))
            .filter(Filter::FlateDecode);
    }

    for (kind, refs) in &font_refs {
        fonts.write_font(&mut pdf, *kind, *refs)?;
    }

    pdf.document_info(info_ref)
        .title(TextStr(info.title))
        .author(TextStr(info.author))
        .subject(TextStr(info.subject))
        .producer(TextStr("Recovery Desk"));

    Ok(pdf.finish())
}

/// Compresses `data` for a stream with the `FlateDecode` filter.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(data)
        .expect("writing to a Vec does not fail");
    encoder.finish().expect("writing to a Vec does not fail")
}
