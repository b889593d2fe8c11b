//! Embedded TrueType fonts: glyph lookup, text measurement, subsetting and
//! the PDF font objects.
//!
//! Text is drawn glyph by glyph with each glyph's advance width and no
//! shaping, kerning or bidirectional reordering. That is enough for Latin,
//! Greek, Cyrillic and CJK text, apart from kerning. Validation rejects right-to-left scripts
//! (see [`is_right_to_left`]), which would come out in the wrong order.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

use super::ReceiptError;

/// A font that the receipt can use. The discriminant indexes [`FontSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FontKind {
    Regular = 0,
    Bold = 1,
    /// WenQuanYi Micro Hei, for CJK characters that DejaVu Sans lacks.
    Fallback = 2,
}

const ALL_KINDS: [FontKind; 3] = [FontKind::Regular, FontKind::Bold, FontKind::Fallback];

/// Font weight requested by the layout. Characters missing from the bold
/// font fall back to the regular font, then to the fallback font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

impl Weight {
    fn font_order(self) -> &'static [FontKind] {
        match self {
            Weight::Regular => &[FontKind::Regular, FontKind::Fallback],
            Weight::Bold => &[FontKind::Bold, FontKind::Regular, FontKind::Fallback],
        }
    }
}

/// A font file compiled into the binary, with the names used in the PDF.
struct EmbeddedFont {
    data: &'static [u8],
    /// PostScript name of the font, used in `/BaseFont`.
    postscript_name: &'static str,
    /// Six upper-case letters that, followed by `+`, mark the embedded font
    /// as a subset. Each font gets its own tag so that the subsets in one
    /// file never share a name.
    subset_tag: &'static str,
    /// Name of the font in each page's resource dictionary.
    resource_name: &'static [u8],
    /// Estimated dominant vertical stem width in glyph units (`/StemV`).
    /// TrueType files do not store it, and viewers only use it when they
    /// substitute a font.
    stem_v: f32,
}

/// The three fonts, indexed by [`FontKind`]. Sources and licences are in
/// `fonts/README.md`.
const EMBEDDED_FONTS: [EmbeddedFont; 3] = [
    EmbeddedFont {
        data: include_bytes!("fonts/DejaVuSans.ttf"),
        postscript_name: "DejaVuSans",
        subset_tag: "RDSANS",
        resource_name: b"F0",
        stem_v: 80.0,
    },
    EmbeddedFont {
        data: include_bytes!("fonts/DejaVuSans-Bold.ttf"),
        postscript_name: "DejaVuSans-Bold",
        subset_tag: "RDBOLD",
        resource_name: b"F1",
        stem_v: 140.0,
    },
    EmbeddedFont {
        // A TrueType collection whose face 0 is the proportional font.
        data: include_bytes!("fonts/wqy-microhei.ttc"),
        postscript_name: "WenQuanYiMicroHei",
        subset_tag: "RDFALL",
        resource_name: b"F2",
        stem_v: 80.0,
    },
];

/// Glyphs of one font for a piece of text, as subset glyph ids.
#[derive(Debug)]
pub(crate) struct GlyphRun {
    pub font: FontKind,
    pub glyphs: Vec<u16>,
}

impl GlyphRun {
    /// Encodes the glyphs as two-byte codes for the `Identity-H` encoding.
    pub fn to_pdf_string(&self) -> Vec<u8> {
        self.glyphs
            .iter()
            .flat_map(|glyph| glyph.to_be_bytes())
            .collect()
    }
}

struct LoadedFont {
    face: Face<'static>,
    /// Maps glyph ids of the full font to the ids in the embedded subset.
    remapper: GlyphRemapper,
    /// The character each subset glyph was drawn for, for `/ToUnicode`.
    characters: BTreeMap<u16, char>,
    used: bool,
}

/// The embedded fonts for one PDF, with the glyphs that it uses so far.
pub(crate) struct FontSet {
    fonts: Vec<LoadedFont>,
}

impl FontSet {
    /// Parses the embedded fonts.
    pub fn load() -> Result<Self, ReceiptError> {
        let mut fonts = Vec::with_capacity(EMBEDDED_FONTS.len());

        for embedded in &EMBEDDED_FONTS {
            let face = Face::parse(embedded.data, 0).map_err(|error| ReceiptError::Font {
                font: embedded.postscript_name,
                message: error.to_string(),
            })?;
            fonts.push(LoadedFont {
                face,
                remapper: GlyphRemapper::new(),
                characters: BTreeMap::new(),
                used: false,
            });
        }

        Ok(Self { fonts })
    }

    /// Returns the PDF resource name of a font, such as `F0`.
    pub fn resource_name(kind: FontKind) -> Name<'static> {
        Name(EMBEDDED_FONTS[kind as usize].resource_name)
    }

    /// Returns the characters of `text` that no embedded font covers, in
    /// order of first appearance. Whitespace is skipped because the layout
    /// turns it into spaces and line breaks.
    pub fn uncovered_characters(&self, text: &str) -> Vec<char> {
        let mut uncovered = Vec::new();

        for character in text.chars() {
            let covered =
                character.is_whitespace() || self.glyph_for(character, Weight::Regular).is_some();
            if !covered && !uncovered.contains(&character) {
                uncovered.push(character);
            }
        }

        uncovered
    }

    /// Measures `text` in points at font size `size`. Characters without a
    /// glyph count as zero width.
    pub fn text_width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        text.chars()
            .filter_map(|character| self.glyph_for(character, weight))
            .map(|(kind, glyph)| self.advance_in_em(kind, glyph) * size)
            .sum()
    }

    /// Converts `text` into runs of subset glyph ids and records the glyphs
    /// for embedding.
    ///
    /// Returns an error naming the first character that no font covers.
    /// Validation checks the input with [`Self::uncovered_characters`]
    /// first, so this only fails for text built inside this module.
    pub fn encode(&mut self, text: &str, weight: Weight) -> Result<Vec<GlyphRun>, ReceiptError> {
        let mut runs: Vec<GlyphRun> = Vec::new();

        for character in text.chars() {
            let (kind, glyph) = self.glyph_for(character, weight).ok_or_else(|| {
                ReceiptError::UnsupportedCharacters {
                    field: "receipt layout".to_string(),
                    characters: describe_characters(&[character]),
                }
            })?;

            let font = &mut self.fonts[kind as usize];
            let subset_glyph = font.remapper.remap(glyph.0);
            font.characters.entry(subset_glyph).or_insert(character);
            font.used = true;

            match runs.last_mut() {
                Some(run) if run.font == kind => run.glyphs.push(subset_glyph),
                _ => runs.push(GlyphRun {
                    font: kind,
                    glyphs: vec![subset_glyph],
                }),
            }
        }

        Ok(runs)
    }

    /// Returns the fonts that [`Self::encode`] has used, in resource-name
    /// order.
    pub fn used_fonts(&self) -> Vec<FontKind> {
        ALL_KINDS
            .into_iter()
            .filter(|kind| self.fonts[*kind as usize].used)
            .collect()
    }

    /// Writes one used font as a Type 0 font with an embedded TrueType
    /// subset and a `/ToUnicode` map, so that text can be extracted.
    ///
    /// Uses the five references in `refs`: Type 0 font (which the page
    /// resources point at), CID font, font descriptor, font file and
    /// `/ToUnicode` CMap.
    pub fn write_font(
        &self,
        pdf: &mut Pdf,
        kind: FontKind,
        refs: [Ref; 5],
    ) -> Result<(), ReceiptError> {
        let [type0_ref, cid_ref, descriptor_ref, file_ref, cmap_ref] = refs;
        let embedded = &EMBEDDED_FONTS[kind as usize];
        let font = &self.fonts[kind as usize];
        let face = &font.face;

        let subset = subsetter::subset(embedded.data, 0, &font.remapper).map_err(|error| {
            ReceiptError::Font {
                font: embedded.postscript_name,
                message: error.to_string(),
            }
        })?;
        let compressed_subset = super::pdf::deflate(&subset);

        let base_font = format!("{}+{}", embedded.subset_tag, embedded.postscript_name);
        let base_font = Name(base_font.as_bytes());
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        pdf.type0_font(type0_ref)
            .base_font(base_font)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_ref)
            .to_unicode(cmap_ref);

        // The subsetter numbers glyphs in the order they were remapped, and
        // the content streams use those numbers as CIDs.
        let widths: Vec<f32> = font
            .remapper
            .remapped_gids()
            .map(|glyph| self.advance_in_em(kind, GlyphId(glyph)) * 1000.0)
            .collect();
        let mut cid_font = pdf.cid_font(cid_ref);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(base_font)
            .system_info(system_info)
            .font_descriptor(descriptor_ref)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid_font.widths().consecutive(0, widths);
        cid_font.finish();

        let to_em = 1000.0 / f32::from(face.units_per_em());
        let bbox = face.global_bounding_box();
        let ascent = f32::from(face.ascender()) * to_em;
        let cap_height = face
            .capital_height()
            .map_or(ascent, |height| f32::from(height) * to_em);
        pdf.font_descriptor(descriptor_ref)
            .name(base_font)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                f32::from(bbox.x_min) * to_em,
                f32::from(bbox.y_min) * to_em,
                f32::from(bbox.x_max) * to_em,
                f32::from(bbox.y_max) * to_em,
            ))
            .italic_angle(face.italic_angle())
            .ascent(ascent)
            .descent(f32::from(face.descender()) * to_em)
            .cap_height(cap_height)
            .stem_v(embedded.stem_v)
            .font_file2(file_ref);

        pdf.stream(file_ref, &compressed_subset)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
        for (&glyph, &character) in &font.characters {
            cmap.pair(glyph, character);
        }
        let cmap = cmap.finish();
        let compressed_cmap = super::pdf::deflate(cmap.as_slice());
        let mut cmap_stream = pdf.cmap(cmap_ref, &compressed_cmap);
        cmap_stream.filter(Filter::FlateDecode);
        cmap_stream.name(Name(b"Custom")).system_info(system_info);
        cmap_stream.finish();

        Ok(())
    }

    /// Finds the first font in the weight's fallback order that has a glyph
    /// for `character`.
    fn glyph_for(&self, character: char, weight: Weight) -> Option<(FontKind, GlyphId)> {
        weight.font_order().iter().find_map(|&kind| {
            let glyph = self.fonts[kind as usize].face.glyph_index(character)?;
            Some((kind, glyph))
        })
    }

    /// Returns a glyph's advance width as a fraction of the font size.
    fn advance_in_em(&self, kind: FontKind, glyph: GlyphId) -> f32 {
        let face = &self.fonts[kind as usize].face;
        let advance = face.glyph_hor_advance(glyph).unwrap_or(0);
        f32::from(advance) / f32::from(face.units_per_em())
    }
}

/// Lists characters by code point, such as `U+4E00`, separated by commas,
/// for error messages. The characters themselves are left out, because
/// they come from names and addresses.
pub(crate) fn describe_characters(characters: &[char]) -> String {
    characters.iter().map(|&character| format!("U+{:04X}", u32::from(character))).collect::<Vec<_>>().join(", ")
}

/// Reports whether `character` belongs to a right-to-left script block:
/// Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic, their
/// presentation forms, and the right-to-left ranges of the supplementary
/// planes. DejaVu Sans has Hebrew and Arabic glyphs, but drawing them in
/// logical order without bidi reordering and Arabic joining would print
/// names backwards and unjoined.
pub(crate) fn is_right_to_left(character: char) -> bool {
    matches!(
        u32::from(character),
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_cover_expected_scripts() {
        let fonts = FontSet::load().unwrap();
        let samples = [
            "Zoë Łukasiewicz",
            "Ærøskøbing Åse Ñúñez Çelik Štěpán Đorđević",
            "Ελένη Παπαδοπούλου",
            "Иван Петрович Сидоров",
            "Ґанна Їжак",
            "王小明",
            "山田太郎 やまだ ヤマダ",
            "김민준",
            "— · • № € £ ¥",
        ];

        for sample in samples {
            assert_eq!(
                fonts.uncovered_characters(sample),
                Vec::<char>::new(),
                "{sample}"
            );
        }
    }

    #[test]
    fn right_to_left_scripts_detected() {
        assert!("שלום".chars().all(is_right_to_left));
        assert!("علي".chars().all(is_right_to_left));
        assert!(!"Zoë Иван 王".chars().any(is_right_to_left));
    }

    #[test]
    fn fonts_flag_uncovered_characters() {
        let fonts = FontSet::load().unwrap();

        assert_eq!(fonts.uncovered_characters("Sam 🙂🙂\tx"), vec!['🙂']);
    }

    #[test]
    fn encode_splits_runs_by_font() {
        let mut fonts = FontSet::load().unwrap();
        let runs = fonts.encode("Li 王", Weight::Regular).unwrap();

        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].font, FontKind::Regular);
        assert_eq!(runs[0].glyphs.len(), 3);
        assert_eq!(runs[1].font, FontKind::Fallback);
        assert_eq!(
            fonts.used_fonts(),
            vec![FontKind::Regular, FontKind::Fallback]
        );
    }

    #[test]
    fn bold_width_exceeds_regular() {
        let fonts = FontSet::load().unwrap();
        let regular = fonts.text_width("Receipt", Weight::Regular, 10.0);
        let bold = fonts.text_width("Receipt", Weight::Bold, 10.0);

        assert!(regular > 30.0, "regular width {regular}");
        assert!(regular < 50.0, "regular width {regular}");
        assert!(
            bold > regular,
            "bold width {bold} not above regular {regular}"
        );
    }

    #[test]
    fn describe_lists_code_points() {
        assert_eq!(describe_characters(&['王', '\n']), "U+738B, U+000A");
    }
}
