//! Fonts: egui's defaults for Latin text, with a Hangul-capable font as fallback.
//!
//! The bundled font is NanumSquare (SIL Open Font License, `assets/fonts/OFL.txt`). A system
//! CJK font, when one is installed, is added after it as a further fallback.

const NANUM_SQUARE: &[u8] = include_bytes!("../../assets/fonts/NanumSquareR.ttf");

/// System fonts tried as an extra fallback (covering Hanja and Kana, which NanumSquare lacks).
const SYSTEM_CJK: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/AppleSDGothicNeo.ttc",
    "C:\\Windows\\Fonts\\malgun.ttf",
];

pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert("nanum-square".into(), std::sync::Arc::new(egui::FontData::from_static(NANUM_SQUARE)));
    let mut fallbacks = vec!["nanum-square".to_string()];
    if let Some(bytes) = SYSTEM_CJK.iter().find_map(|p| std::fs::read(p).ok()) {
        fonts.font_data.insert("system-cjk".into(), std::sync::Arc::new(egui::FontData::from_owned(bytes)));
        fallbacks.push("system-cjk".into());
    }
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        if let Some(list) = fonts.families.get_mut(&family) {
            list.extend(fallbacks.iter().cloned());
        }
    }
    ctx.set_fonts(fonts);
}
